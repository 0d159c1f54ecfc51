// Live lab: a websocket to the server's /ws. Server -> page: text messages
// holding one or more JSON Lines events (fed to the wasm as they are);
// page -> server: one protocol.Command JSON per message, answered by a
// `reply` event with the same id. Optional by design: a static copy of the
// page has no /ws, and then the live controls simply stay hidden.
"use strict";

class GossipLive {
  // handlers: onText(text) for every message, onReply(reply, command),
  // onStatus(state, detail) with state "connecting" | "open" | "closed",
  // onNodes(names) when the set of node names changes.
  constructor(handlers) {
    this.h = handlers;
    this.ws = null;
    this.nodes = new Map(); // name -> status
    this.pending = new Map(); // command id -> command
    this.seq = 0;
    this.wanted = false;
  }

  // wsURL resolves "ws" against the page's own address, so the page finds
  // its server's socket also when it is served under a path prefix.
  static wsURL(href) {
    const u = new URL("ws", href || location.href);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.search = "";
    u.hash = "";
    return u.toString();
  }

  // probe reports the live source ("lab", "alertmanager", ...), "" when
  // there is none, or null when no answer came within timeoutMs: GET api/live (the hub's stats, JSON
  // with "source" set while a source runs). Unlike opening /ws it starts no
  // stream (a replay source would start playing for the probe) and costs
  // the server one small JSON answer. A static copy of the page has no
  // api/live (404, or the file missing): no live mode.
  static probe(timeoutMs) {
    let url;
    try {
      url = new URL("api/live", location.href);
    } catch (e) {
      return Promise.resolve("");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return Promise.resolve("");
    const ctl = typeof AbortController === "function" ? new AbortController() : null;
    const timer = setTimeout(() => ctl && ctl.abort(), timeoutMs);
    return fetch(url, { cache: "no-store", signal: ctl ? ctl.signal : undefined })
      .then((r) => (r.ok ? r.json() : null))
      .then((j) => (j && typeof j.source === "string" ? j.source : ""))
      .catch(() => null) // no answer in time: not known (a busy server or machine)
      .finally(() => clearTimeout(timer));
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  // urlParams: what the page's URL says to come back to this source.
  urlParams() {
    return { live: "1" };
  }

  connect() {
    this.wanted = true;
    if (this.ws) return;
    const url = GossipLive.wsURL();
    if (!url) {
      this.h.onStatus("closed", "live mode needs the page served over http(s)");
      return;
    }
    this.h.onStatus("connecting", url);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this.h.onStatus("closed", String(e));
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.h.onStatus("open", url);
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return; // the protocol is text only
      this.scan(ev.data);
      this.h.onText(ev.data);
    };
    ws.onclose = (ev) => {
      this.ws = null;
      const why = ev.reason || (ev.code === 1000 ? "closed" : `connection lost (code ${ev.code})`);
      for (const [id, cmd] of this.pending) this.h.onReply({ id, error: "no reply: " + why }, cmd);
      this.pending.clear();
      this.h.onStatus("closed", this.wanted ? why : "disconnected");
    };
    ws.onerror = () => { /* onclose follows with the code */ };
  }

  disconnect() {
    this.wanted = false;
    if (this.ws) this.ws.close(1000, "page left live mode");
  }

  // send sends one command and returns its id, or throws when not connected.
  send(cmd) {
    if (!this.open) throw new Error("not connected to the live lab");
    const c = Object.assign({}, cmd);
    if (!c.id) c.id = "p" + (++this.seq);
    this.pending.set(c.id, c);
    this.ws.send(JSON.stringify(c));
    return c.id;
  }

  // sendRaw forwards a command the wasm built (gossipscope.onCommand).
  sendRaw(json) {
    let c;
    try {
      c = JSON.parse(json);
    } catch (e) {
      throw new Error("the simulator sent a bad command: " + e.message);
    }
    return this.send(c);
  }

  // scan picks out what the page itself needs (node names, replies) without
  // parsing every line: the wasm parses the stream; this only looks at the
  // few lines that matter here.
  scan(text) {
    let changed = false;
    for (const line of text.split("\n")) {
      if (line.indexOf('"type":"node"') < 0 && line.indexOf('"type":"reply"') < 0 && line.indexOf('"type":"header"') < 0) continue;
      let ev;
      try {
        ev = JSON.parse(line);
      } catch (e) {
        continue; // the wasm reports bad lines
      }
      if (ev.type === "node" && ev.node) {
        if (this.nodes.get(ev.node) !== ev.status) changed = true;
        this.nodes.set(ev.node, ev.status);
      } else if (ev.type === "header" && ev.params && Array.isArray(ev.params.names)) {
        for (const n of ev.params.names) {
          if (!this.nodes.has(n)) { this.nodes.set(n, "alive"); changed = true; }
        }
      } else if (ev.type === "reply") {
        const cmd = this.pending.get(ev.id);
        this.pending.delete(ev.id);
        this.h.onReply(ev, cmd);
      }
    }
    if (changed) this.h.onNodes([...this.nodes.keys()].sort());
  }

  // halves splits the known nodes into two groups for a partition.
  halves() {
    const names = [...this.nodes.keys()].sort();
    const mid = Math.ceil(names.length / 2);
    return [names.slice(0, mid), names.slice(mid)];
  }
}

window.GossipLive = GossipLive;

// The live lab panel: connect, feed the stream to the wasm, send commands,
// show their replies.
(() => {
  const P = window.gossipscopePage;
  const $ = P.$;

  function log(text, cls) {
    const li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    const list = $("live-log");
    list.prepend(li);
    while (list.children.length > 50) list.lastChild.remove();
  }

  function describe(c) {
    const on = c.node ? ` on ${c.node}` : c.cmd === "alert" ? " to every node" : "";
    const extra = c.cmd === "loss" ? ` ${c.loss}` : c.groups ? ` into ${c.groups.map((g) => g.length).join(" + ")} nodes` : "";
    return `${c.cmd}${on}${extra}`;
  }

  function available(source) {
    const ok = !!source;
    P.liveAvailable = ok;
    P.liveSource = source;
    $("live-availability").textContent = !ok
      ? "No live server here (a static copy of the page, or the server runs without --lab). Simulation and replay work as usual."
      : source === "alertmanager"
        ? "This server observes a real Alertmanager cluster: connect to watch its gossip (read-only)."
        : source === "lab"
          ? "A live lab cluster is running on this server: real gossip nodes speaking Alertmanager's protocol."
          : `A live source (${source}) is running on this server.`;
    $("live-controls").hidden = !ok;
    for (const b of document.querySelectorAll("#presets button.live")) b.disabled = !ok;
    P.liveNeedsNote(!ok);
    refreshJump();
  }

  // The header's one-click way to the server's live source (and back), so
  // that `make run`'s lab is announced as soon as the page knows of it,
  // not only in the last card of the panel. ?live=1 opens it directly.
  function refreshJump() {
    const b = $("live-jump");
    const on = !!(P.live && P.live.wanted && P.live.constructor === GossipLive);
    b.hidden = !P.liveAvailable;
    b.textContent = on ? "Simulation" : P.liveSource === "alertmanager" ? "Live cluster" : "Live lab";
    b.title = on ? "Back to the simulation" : P.liveSource === "alertmanager"
      ? "Watch the Alertmanager cluster this server observes (?live=1 opens it directly)"
      : "This server runs a live lab cluster: show it (?live=1 opens it directly)";
    b.setAttribute("aria-pressed", String(on));
    b.classList.toggle("primary", !on);
  }

  function status(st, detail) {
    const live = P.live;
    const badge = $("live-status");
    badge.textContent = st;
    badge.className = "badge" + (st === "open" ? " on" : st === "closed" && live.wanted ? " bad" : "");
    $("live-connect").setAttribute("aria-pressed", String(st !== "closed"));
    $("live-connect").textContent = st === "closed" ? "Connect" : "Disconnect";
    if (st === "open") {
      P.call("live", true);
      P.call("play");
      log(`connected to ${detail}`, "good");
      if (live.onOpen) {
        const f = live.onOpen;
        live.onOpen = null;
        f();
      }
    } else if (st === "closed" && live.wanted) {
      log(`disconnected: ${detail}`, "bad");
      P.showError(`Live lab: ${detail}. Press Connect to try again.`);
      live.wanted = false;
    }
    refreshJump();
    P.syncURL(true);
  }

  function nodes(names) {
    const sel = $("live-node");
    const cur = sel.value;
    sel.textContent = "";
    for (const n of names) {
      const o = document.createElement("option");
      o.value = o.textContent = n;
      sel.appendChild(o);
    }
    if (names.includes(cur)) sel.value = cur;
  }

  // liveHandlers are what a live source tells the page: the server's
  // websocket (GossipLive) or the in-page memberlist cluster (memlab.js).
  P.liveHandlers = () => ({
    onText: (text) => {
      const r = P.callQuiet("feed", text);
      if (r.ok === false) log(`✗ ${r.error}`, "bad");
    },
    onReply: (rep, cmd) => {
      const what = cmd ? describe(cmd) : rep.id;
      if (rep.error) log(`✗ ${what}: ${rep.error}`, "bad");
      else log(`✓ ${what}${rep.text ? ": " + rep.text : ""}`, "good");
    },
    onStatus: status,
    onNodes: nodes,
  });

  P.connectLive = () => {
    if (P.live && P.live.constructor !== GossipLive) P.leaveLive(); // the in-page cluster
    if (!P.live || P.live.constructor !== GossipLive) P.live = new GossipLive(P.liveHandlers());
    P.stopCompare();
    P.replayURL = null;
    P.live.connect();
  };

  // leaveLive goes back to the simulation the page showed before.
  P.leaveLive = () => {
    if (!P.live || !P.live.wanted) return;
    P.live.disconnect();
    P.callQuiet("live", false);
    if (P.lastSimQuery) P.callQuiet("load", P.lastSimQuery);
  };

  // node is the command's target: the node selected on the canvas if it is
  // a live one, else the one chosen in the list.
  function node() {
    const st = P.state();
    const sel = st && st.selected && st.selected.name;
    return sel && P.live && P.live.nodes.has(sel) ? sel : $("live-node").value;
  }

  function send(cmd) {
    if (!P.live || !P.live.open) {
      P.showError("Connect to the live lab first.");
      return;
    }
    try {
      P.live.send(cmd);
      log(`→ ${describe(cmd)}`, "");
    } catch (e) {
      P.showError(e.message);
    }
  }

  // The key select: which silence or notification-log entry colours the
  // nodes (setKey), newest first, "" = always the newest. Rebuilt only
  // when the list of keys changed.
  let keySig = "";
  function keys(st) {
    const sel = $("live-key");
    const list = P.gs && typeof P.gs.keys === "function" ? P.gs.keys() : [];
    const sig = list.map((k) => k.key + "\u0000" + k.short).join("\u0001");
    if (sig !== keySig) {
      keySig = sig;
      sel.textContent = "";
      const auto = document.createElement("option");
      auto.value = "";
      auto.textContent = list.length ? `the newest: ${list[0].short}` : "the newest (none yet)";
      sel.appendChild(auto);
      for (const k of list) {
        const o = document.createElement("option");
        o.value = k.key;
        o.textContent = k.origin ? `${k.short} (${k.origin})` : k.short;
        o.title = k.label;
        sel.appendChild(o);
      }
    }
    const want = (st && st.keyChosen) || "";
    if (document.activeElement !== sel && sel.value !== want) sel.value = want;
  }

  // readOnly hides the commands for a source that takes none (an observer
  // of a real cluster) and says so. Clicking a node then only selects it:
  // the "crashes / restarts it" choice, its shift-click hint and the fault
  // buttons go (app.js also ignores shift while read-only); leaving the
  // observer's stream brings them back.
  let readOnlyShown = false;
  function readOnly(on) {
    readOnlyShown = on;
    $("live-commands").hidden = on;
    $("live-readonly").hidden = !on;
    for (const b of document.querySelectorAll("#presets button.live")) b.disabled = on || !P.liveAvailable;
    $("h-live").textContent = on ? "Observe" : "Live lab";
    const mode = document.querySelector("#sec-faults .click-mode");
    if (mode) {
      mode.hidden = on;
      const hint = mode.nextElementSibling;
      if (hint && hint.classList.contains("hint")) hint.hidden = on;
    }
    if (on) document.querySelector('input[name="click"][value="select"]').checked = true;
    for (const b of document.querySelectorAll("#sec-faults button")) if (b.id !== "f-select") b.disabled = on;
  }

  P.liveTick = (st) => {
    const liveView = !!(st && st.live);
    if (liveView !== document.body.classList.contains("live-view")) {
      document.body.classList.toggle("live-view", liveView);
      P.updateInsets(false); // the header may have changed height
    }
    const ro = !!(st && st.live && st.readOnly);
    if (ro !== readOnlyShown) readOnly(ro);
    if (!st || !st.live) return;
    keys(st);
  };

  P.runLivePreset = (p) => {
    const go = () => {
      const cmd = Object.assign({}, p.command);
      if (cmd.cmd === "silence" && !cmd.node) cmd.node = node() || P.live.halves()[0][0];
      if (!cmd.node && cmd.cmd !== "alert") return P.showError("No live node to send to yet.");
      send(cmd);
      P.showStatus(p.about, 8000);
    };
    if (P.live && P.live.open) return go();
    P.connectLive();
    P.live.onOpen = () => setTimeout(go, 500); // let the snapshot name the nodes first
  };

  P.onReadyHooks.push(() => {
    // Clicks on live nodes in the canvas come back from the wasm as commands.
    P.gs.onCommand = (json) => {
      if (!P.live || !P.live.open) {
        P.showError("Not connected to the live lab: the command was not sent.");
        return;
      }
      try {
        P.live.sendRaw(json);
        log(`→ ${describe(JSON.parse(json))}`, "");
      } catch (e) {
        P.showError(e.message);
      }
    };
    const on = (id, f) => $(id).addEventListener("click", f);
    on("live-connect", () => (P.live && P.live.wanted ? P.leaveLive() : P.connectLive()));
    on("live-silence", () => send({ cmd: "silence", node: node(), text: "created from gossipscope" }));
    on("live-alert", () => send({ cmd: "alert", text: "GossipscopeDemo" }));
    on("live-crash", () => send({ cmd: "crash", node: node() }));
    on("live-restart", () => send({ cmd: "restart", node: node() }));
    on("live-partition", () => send({ cmd: "partition", groups: P.live ? P.live.halves() : [] }));
    on("live-heal", () => send({ cmd: "heal" }));
    $("live-key").addEventListener("change", (ev) => {
      const r = P.call("setKey", ev.target.value);
      if (r && r.ok !== false) P.showStatus(ev.target.value ? `Colouring by ${ev.target.selectedOptions[0].title || ev.target.value}` : "Colouring by the newest key", 4000);
    });
    on("live-setloss", () => {
      const p = Number($("live-loss").value);
      if (!(p >= 0 && p <= 1)) return P.showError("Loss is a probability between 0 and 1.");
      send({ cmd: "loss", loss: p });
    });
    on("live-jump", () => {
      if (P.live && P.live.wanted && P.live.constructor === GossipLive) {
        P.leaveLive();
        P.call("play");
        refreshJump();
        P.syncURL(true);
      } else {
        P.connectLive();
        refreshJump();
      }
    });
    // A server that did not answer in time is asked again, with more time,
    // before the page says there is none: on a loaded machine the first
    // answer can take longer than 3 s while the page boots.
    const look = (n) => GossipLive.probe(3000 * n).then((source) => {
      if (source === null && n < 4) setTimeout(() => look(n + 1), 500);
      else available(source || "");
    });
    look(1);
  });
})();
