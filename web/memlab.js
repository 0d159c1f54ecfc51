// Memberlist mode: real hashicorp/memberlist nodes running inside this page
// (web/memlab.wasm, a second Go program fetched only when this mode is
// chosen, since memberlist would make the page's first load ~3 MB gzip
// larger; it runs in a Web Worker, web/memlab-worker.js, so that drawing
// never delays the nodes' timers).
// It is one more live source: its events go to the wasm's feed like the
// server's lab, so the player, timeline and scrubbing work as for any live
// stream, and it takes the same commands (crash, restart, partition, heal,
// loss, silence) plus memberlist's own (slow, leave). Its JS API is
// the worker's self.gossipscopeMemlab (docs/jsapi.md).
"use strict";

class GossipMemlab extends GossipLive {
  // opts: {nodes, awareness, speedup, latencyMs, seed} for start().
  constructor(handlers, opts) {
    super(handlers);
    this.opts = Object.assign({}, opts);
    this.running = false;
    // The latest answer to a query: {counters, views, members, node}.
    this.latest = null;
    // ms since connect() when the program was ready, the first events
    // came, and every node was first alive in the majority's view.
    this.timings = { start: 0, loaded: 0, firstEvents: 0, converged: 0 };
    // The stream so far, as it came, for "Save recording" (bounded).
    this.recorded = [];
    this.recordedBytes = 0;
    this.recordCut = false;
  }

  // load starts web/memlab-worker.js once (which fetches web/memlab.wasm);
  // resolves when the program is ready.
  static load() {
    if (GossipMemlab.loading) return GossipMemlab.loading;
    GossipMemlab.loading = new Promise((resolve, reject) => {
      let w;
      try {
        w = new Worker("web/memlab-worker.js");
      } catch (e) {
        reject(new Error(`memberlist mode needs Web Workers: ${e.message}`));
        return;
      }
      GossipMemlab.worker = w;
      GossipMemlab.calls = new Map();
      GossipMemlab.seq = 0;
      w.onmessage = (ev) => {
        const m = ev.data || {};
        if (m.type === "ready") {
          GossipMemlab.loadMs = m.loadMs;
          resolve(w);
        } else if (m.type === "failed") {
          reject(new Error(m.error));
          if (GossipMemlab.current) GossipMemlab.current.failed(m.error);
        } else if (m.type === "events") {
          if (GossipMemlab.current) GossipMemlab.current.events(m.text);
        } else if (m.type === "reply") {
          const f = GossipMemlab.calls.get(m.id);
          GossipMemlab.calls.delete(m.id);
          if (f) f(m.result);
        }
      };
      w.onerror = (e) => reject(new Error(`memberlist mode: ${e.message || "the worker failed to start"}`));
    });
    GossipMemlab.loading.catch(() => { // let a later try start again
      if (GossipMemlab.worker) GossipMemlab.worker.terminate();
      GossipMemlab.loading = GossipMemlab.worker = null;
    });
    return GossipMemlab.loading;
  }

  // call asks the worker and resolves to the program's answer.
  static call(msg) {
    return new Promise((resolve) => {
      const id = ++GossipMemlab.seq;
      GossipMemlab.calls.set(id, resolve);
      GossipMemlab.worker.postMessage(Object.assign({ id }, msg));
    });
  }

  get open() {
    return this.running;
  }

  // urlParams: ?memberlist=N (and awareness=0) starts the same cluster.
  urlParams() {
    const q = { memberlist: String(this.opts.nodes || 20) };
    if (this.opts.awareness === false) q.awareness = "0";
    return q;
  }

  connect() {
    this.wanted = true;
    if (this.running) return;
    this.h.onStatus("connecting", "loading memberlist into the page");
    const tm = this.timings;
    tm.start = performance.now();
    GossipMemlab.load().then(() => {
      if (!this.wanted) return;
      tm.loaded = performance.now() - tm.start;
      GossipMemlab.current = this;
      this.running = true;
      this.h.onStatus("open", `${this.opts.nodes || 20} memberlist nodes in this page`);
      return GossipMemlab.call({ op: "start", opts: this.opts }).then((r) => {
        if (r && r.ok === false) this.failed(r.error);
      });
    }).catch((e) => {
      this.h.onStatus("closed", e.message);
    });
  }

  // events takes a batch of the stream (JSON Lines).
  events(text) {
    if (!this.running) return;
    const tm = this.timings;
    if (!tm.firstEvents) tm.firstEvents = performance.now() - tm.start;
    if (this.recordedBytes + text.length <= GossipMemlab.MAX_RECORDING) {
      this.recorded.push(text);
      this.recordedBytes += text.length;
    } else {
      this.recordCut = true;
    }
    this.scan(text);
    this.h.onText(text);
    if (!tm.converged && this.nodes.size === (this.opts.nodes || 20) && [...this.nodes.values()].every((s) => s === "alive")) {
      tm.converged = performance.now() - tm.start;
    }
  }

  failed(error) {
    this.running = false;
    this.h.onStatus("closed", error);
  }

  disconnect() {
    const was = this.running;
    this.wanted = false;
    this.running = false;
    if (GossipMemlab.current === this) {
      GossipMemlab.current = null;
      GossipMemlab.call({ op: "stop" });
    }
    for (const [id, cmd] of this.pending) this.h.onReply({ id, error: "no reply: the cluster was stopped" }, cmd);
    this.pending.clear();
    if (was) this.h.onStatus("closed", "stopped");
  }

  // send gives the cluster one command; its reply comes in the stream.
  send(cmd) {
    if (!this.open) throw new Error("the memberlist cluster is not running");
    const c = Object.assign({}, cmd);
    if (!c.id) c.id = "m" + (++this.seq);
    this.pending.set(c.id, c);
    GossipMemlab.call({ op: "command", json: JSON.stringify(c) }).then((r) => {
      if (r && r.ok === false && this.pending.has(c.id)) {
        this.pending.delete(c.id);
        this.h.onReply({ id: c.id, error: r.error }, c);
      }
    });
    return c.id;
  }

  // query refreshes latest: the counters, every node's views and node's
  // member table.
  query(node) {
    if (!this.open || this.querying) return;
    this.querying = true;
    GossipMemlab.call({ op: "query", node }).then((r) => {
      this.querying = false;
      if (this.running) this.latest = r;
    });
  }
}

// MAX_RECORDING bounds the stream kept for saving (characters), well under
// what the page's replay takes back (256 MB).
GossipMemlab.MAX_RECORDING = 128 << 20;

window.GossipMemlab = GossipMemlab;

// The memberlist section of the panel: start and stop, the controls in
// memberlist's words, the lessons, the counters and the clicked node's
// member table.
(() => {
  const P = window.gossipscopePage;
  const $ = P.$;

  const cluster = () => (P.live instanceof GossipMemlab ? P.live : null);
  // latest: the running cluster's last answer to a query, or null.
  const latest = () => (cluster() && cluster().open ? cluster().latest : null);

  // startMemlab starts a cluster: opts {nodes, awareness, speedup} (the
  // card's choices where left out; the card shows what runs).
  P.startMemlab = (opts) => {
    opts = Object.assign(options(), opts);
    if (!(opts.nodes >= 1 && opts.nodes <= 50)) opts.nodes = 20;
    if (!(opts.speedup > 0)) opts.speedup = opts.nodes <= 25 ? 5 : 2;
    $("ml-nodes").value = String(opts.nodes);
    $("ml-awareness").checked = opts.awareness !== false;
    if (P.live && P.live.wanted) P.leaveLive();
    P.stopCompare();
    P.replayURL = null;
    P.live = new GossipMemlab(P.liveHandlers(), opts);
    P.live.connect();
    shown = "";
    if (!timer) timer = setInterval(tick, 250);
  };

  // options: what the card asks for. Automatic time: ÷5 (probe every
  // 200 ms, timeout 100 ms) up to 25 nodes; beyond, ÷2, since the worker's
  // one thread runs every node and a busy thread answers probes late,
  // which memberlist rightly takes for failures (50 nodes at ÷5 raised
  // about a hundred false suspicions in 15 s on a loaded 2-core machine).
  function options() {
    const n = Math.round(Number($("ml-nodes").value));
    const nodes = n >= 1 && n <= 50 ? n : 20;
    const chosen = Number($("ml-speedup").value);
    return { nodes, awareness: $("ml-awareness").checked, speedup: chosen > 0 ? chosen : 0 };
  }

  // target: the node clicked on the canvas, else the one chosen in the list.
  function target() {
    const st = P.state();
    const sel = st && st.selected && st.selected.name;
    return sel || $("ml-node").value;
  }

  function send(cmd) {
    const c = cluster();
    if (!c || !c.open) return P.showError("Start the memberlist cluster first.");
    try {
      c.send(cmd);
    } catch (e) {
      P.showError(e.message);
    }
  }

  // allAlive: every node of the cluster alive in the majority's view.
  function allAlive() {
    const c = cluster();
    if (!c || !c.open || c.nodes.size === 0) return false;
    for (const st of c.nodes.values()) if (st !== "alive") return false;
    return true;
  }

  // ensure runs f once a cluster with awareness as asked is running and
  // converged (everybody alive), starting one if needed.
  function ensure(awareness, f) {
    const c = cluster();
    const cur = latest() && latest().counters;
    if (!c || !c.open || !cur || cur.awareness !== awareness) {
      $("ml-awareness").checked = awareness;
      P.startMemlab(options());
    }
    const t0 = Date.now();
    const wait = () => {
      if (allAlive()) return f();
      if (Date.now() - t0 > 20000) return P.showError("The memberlist cluster did not converge within 20 s.");
      setTimeout(wait, 200);
    };
    wait();
  }

  const names = () => [...(cluster() ? cluster().nodes.keys() : [])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));

  const LESSONS = [
    {
      label: "Crash: how long until dead?",
      about: "A node is crashed. Watch the probes to it fail, the first suspicion, and the suspicion running out into dead everywhere; the counters compare it with memberlist's formula.",
      run: () => ensure(true, () => {
        const ns = names();
        send({ cmd: "crash", node: ns[Math.floor(ns.length / 3)] });
      }),
    },
    {
      label: "Slow node refutes",
      about: "n3 answers 150 ms late, beyond the probe timeout: the others suspect it, it hears of it and refutes with a higher incarnation. Lifeguard's awareness keeps its own probes patient.",
      run: () => ensure(true, () => send({ cmd: "slow", node: "n3", delayMs: 150 })),
    },
    {
      label: "Slow node, no Lifeguard",
      about: "The same slow n3 with Lifeguard's local health awareness off: its own probes time out too, so it falsely suspects healthy nodes, which must refute (watch false suspicions climb).",
      run: () => ensure(false, () => send({ cmd: "slow", node: "n3", delayMs: 150 })),
    },
    {
      label: "Partition, then heal",
      about: "The cluster is cut in two: each side suspects, then declares the other dead. After 10 s it heals; the reconnect loop (as Alertmanager's) rejoins and the sides merge.",
      run: () => ensure(true, () => {
        const ns = names();
        const mid = Math.ceil(ns.length / 2);
        send({ cmd: "partition", groups: [ns.slice(0, mid), ns.slice(mid)] });
        setTimeout(() => { if (cluster() && cluster().open) send({ cmd: "heal" }); }, 10000);
      }),
    },
    {
      label: "Silence during a partition",
      about: "The cluster is cut in two and a silence is created on one side: its gossip reaches only that side. After 8 s the cut heals; the silence crosses in a push-pull (a full state exchange, the cyan rings) and spreads on the other side.",
      run: () => ensure(true, () => {
        const ns = names();
        const mid = Math.ceil(ns.length / 2);
        send({ cmd: "partition", groups: [ns.slice(0, mid), ns.slice(mid)] });
        setTimeout(() => send({ cmd: "silence", node: ns[0], text: "made during the cut" }), 1000);
        setTimeout(() => { if (cluster() && cluster().open) send({ cmd: "heal" }); }, 8000);
      }),
    },
  ];

  const fmtMs = (ms) => (ms == null ? "…" : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString("en")} ms`);

  // counters shows the failure-detection numbers beside memberlist's formula.
  let shown = "";
  function counters(c) {
    const lines = [];
    const logN = c.suspicionMinMs / (c.suspicionMult * c.probeMs);
    lines.push(`Timings: Alertmanager's (memberlist's LAN defaults, push-pull 60 s) ÷ ${c.speedup}: probe every ${fmtMs(c.probeMs)} (timeout ${fmtMs(c.probeTimeoutMs)}), gossip every ${fmtMs(c.gossipMs)}, push-pull every ${fmtMs(c.pushPullMs)}. Lifeguard awareness ${c.awareness ? "on" : "off"}.`);
    lines.push(`Formula (N = ${c.nodes}): a suspicion turns into dead after SuspicionMult × log10(N) × probe = ${c.suspicionMult} × ${logN.toFixed(2)} × ${fmtMs(c.probeMs)} = ${fmtMs(c.suspicionMinMs)} once ${c.confirmations} other nodes confirm it, up to ${c.suspicionMaxTimeoutMult} × that = ${fmtMs(c.suspicionMaxMs)} with no confirmation (Lifeguard).`);
    const k = c.crash;
    if (k) {
      lines.push(`Crash of ${k.node}: first suspicion after ${fmtMs(k.firstSuspicionMs)}${k.suspectedBy ? ` (by ${k.suspectedBy})` : ""}, dead after ${fmtMs(k.firstDeadMs)}${k.deadBy ? ` (by ${k.deadBy})` : ""}, dead in every view after ${fmtMs(k.deadEverywhereMs)}.`);
      if (k.firstSuspicionMs != null && k.firstDeadMs != null) {
        lines.push(`Suspicion lasted ${fmtMs(k.firstDeadMs - k.firstSuspicionMs)} (formula: ${fmtMs(c.suspicionMinMs)} to ${fmtMs(c.suspicionMaxMs)}).`);
      }
    } else {
      lines.push("No crash yet: click a node (shift-click or “crash” mode) or use the buttons.");
    }
    let most = "";
    for (const [n, k] of Object.entries(c.raisedBy || {})) if (!most || k > c.raisedBy[most]) most = n;
    lines.push(`False suspicions: ${c.falseSuspicions} raised${most ? ` (most by ${most}: ${c.raisedBy[most]})` : ""}, ${c.refuted} refuted${c.falseDeaths ? `, ${c.falseDeaths} false deaths` : ""}.`);
    const text = lines.join("\n");
    if (text === shown) return;
    shown = text;
    const box = $("ml-counters");
    box.textContent = "";
    for (const l of lines) {
      const p = document.createElement("p");
      p.textContent = l;
      box.appendChild(p);
    }
  }

  // table shows one node's member table: its own view of everybody.
  let tableSig = "";
  function table(name) {
    const l = latest();
    const rows = l && name && l.node === name ? l.members : null;
    const sig = name + JSON.stringify(rows);
    if (sig === tableSig) return;
    tableSig = sig;
    $("ml-table-caption").textContent = rows
      ? `${name}'s member table (now): its own view of every node`
      : name ? `${name} is not running: no member table` : "Click a node to see its member table.";
    const body = $("ml-table-rows");
    body.textContent = "";
    for (const r of rows || []) {
      const tr = document.createElement("tr");
      if (r.state !== "alive") tr.className = r.state;
      for (const v of [r.name + (r.self ? " (self)" : ""), r.state, String(r.incarnation)]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function nodeList() {
    const sel = $("ml-node");
    const ns = names();
    if (sel.options.length === ns.length) return;
    const cur = sel.value;
    sel.textContent = "";
    for (const n of ns) {
      const o = document.createElement("option");
      o.value = o.textContent = n;
      sel.appendChild(o);
    }
    if (ns.includes(cur)) sel.value = cur;
  }

  // tick keeps the card in step, 4 times a second from the start of a
  // cluster until the card shows it off again (the page without a cluster
  // runs no timer for it); it writes to the page only what changed.
  let lastLook = "";
  let timer = 0;
  function tick() {
    const c = cluster();
    const running = !!(c && c.open);
    const status = running ? "running" : c && c.wanted ? "loading…" : "off";
    if (status === "off" && timer) {
      clearInterval(timer);
      timer = 0;
    }
    if (status !== lastLook) {
      lastLook = status;
      $("ml-status").textContent = status;
      $("ml-status").className = "badge" + (running ? " on" : "");
      $("ml-controls").hidden = !running;
      // The model's explanation does not describe memberlist: this card's does.
      $("sec-explain").hidden = running;
      $("ml-start").textContent = running ? "Restart cluster" : "Start";
    }
    if (!running) return;
    const st = P.state();
    const sel = (st && st.selected && st.selected.name) || "";
    c.query(sel);
    const l = latest();
    if (!l) return;
    if (l.counters) counters(l.counters);
    table(sel);
    nodeList();
  }

  P.onReadyHooks.push(() => {
    const on = (id, f) => $(id).addEventListener("click", f);
    on("ml-start", () => P.startMemlab(options()));
    on("ml-stop", () => P.leaveLive());
    on("ml-crash", () => send({ cmd: "crash", node: target() }));
    on("ml-restart", () => send({ cmd: "restart", node: target() }));
    on("ml-leave", () => send({ cmd: "leave", node: target() }));
    on("ml-silence", () => send({ cmd: "silence", node: target(), text: $("ml-silence-text").value.trim() || "made in memberlist mode" }));
    on("ml-slow", () => {
      const ms = Number($("ml-slow-ms").value);
      if (!(ms >= 0 && ms <= 10000)) return P.showError("A slow node's delay is 0 to 10,000 ms.");
      send({ cmd: "slow", node: target(), delayMs: ms });
    });
    on("ml-normal", () => send({ cmd: "slow", node: target(), delayMs: 0 }));
    on("ml-partition", () => send({ cmd: "partition", groups: cluster() ? cluster().halves() : [] }));
    on("ml-heal", () => send({ cmd: "heal" }));
    on("ml-save", () => {
      const c = cluster();
      if (!c || c.recorded.length === 0) return P.showError("Nothing recorded yet: start the memberlist cluster first.");
      const blob = new Blob(c.recorded, { type: "application/x-ndjson" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `memberlist-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      if (c.recordCut) P.showStatus(`The recording stops at ${GossipMemlab.MAX_RECORDING >> 20} MB; the cluster ran on.`, 6000);
    });
    on("ml-setloss", () => {
      const p = Number($("ml-loss").value);
      if (!(p >= 0 && p <= 1)) return P.showError("Loss is a probability between 0 and 1.");
      send({ cmd: "loss", loss: p });
    });
    const box = $("ml-lessons");
    for (const l of LESSONS) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = l.label;
      b.title = l.about;
      b.addEventListener("click", () => { P.showStatus(l.about, 10000); l.run(); });
      box.appendChild(b);
    }
    tick();
  });
})();
