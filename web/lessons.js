// The two Alertmanager HA tests as guided lessons (docs/gossip-rules.md §3,
// §6): state replication (a silence spreads; push-pull brings a restarted
// node up to date) and notifying once (position x peer timeout, the
// gossiped notification log, and the failures that cause duplicates).
//
// The driver is JavaScript, not a Go script in memlab, because the same
// steps run against any live source by its commands: the in-page cluster
// (memberlist mode) or the server's lab over /ws (`make run`). It reads the
// stream those sources already send (notes "n2: sent webhook ...", nfl and
// sil state events, msg events) and measures from it; it draws its own card
// (HTML) instead of touching the scene.
//
// This file is the runner: the stream, the actions a step can ask for, the
// card with its lanes, and the API. The lessons themselves (steps, captions,
// summaries) are in web/lesson-defs.js, loaded before it.
//
// API (window.gossipscopeLessons, docs/jsapi.md): start(lesson, variant),
// next(), restart(), close(), and the facts the browser tests read: step,
// steps, ready (the step's outcome was seen), done, result (the summary's
// figures).
"use strict";

(() => {
  const P = window.gossipscopePage;
  const $ = P.$;

  // ---- the stream ----

  // Every live source's text also comes here (liveHandlers is how the
  // server's lab and the in-page cluster hand their stream to the page).
  const baseHandlers = P.liveHandlers;
  P.liveHandlers = () => {
    const h = baseHandlers();
    const text = h.onText;
    h.onText = (t) => {
      text(t);
      if (t.indexOf(HEADER) >= 0) { // the stream's settings, for a lesson started later
        for (const line of t.split("\n")) {
          if (line.indexOf(HEADER) < 0) continue;
          try {
            lastHeader = JSON.parse(line).params || {};
          } catch (e) { /* the wasm reports bad lines */ }
        }
      }
      if (run) run.take(t);
    };
    return h;
  };

  // The pipeline's notes (package notify): a node that notified says "sent
  // webhook" (or, in a lab without a webhook, "notified (no webhook
  // configured)"); one that found the log entry "skipped notification".
  const isSent = (text) => text.includes("sent webhook") || text.includes("notified (");
  const isDecision = (text) => isSent(text) || text.includes("skipped notification");
  let lastHeader = {};
  const NOTE = '"type":"note"', STATE = '"type":"state"', MSG = '"type":"msg"', REPLY = '"type":"reply"', HEADER = '"type":"header"';

  // Run is one lesson being taught: its steps, and what the stream showed.
  class Run {
    constructor(lesson, variant) {
      this.lesson = lesson;
      this.variant = variant;
      this.step = -1;
      this.ready = false;
      this.done = false;
      this.now = 0; // the stream's latest t (ms)
      this.msgs = 0;
      this.carried = new Map(); // state key -> messages that carried it
      this.reached = new Map(); // state key -> Map(node -> first t a message carrying it arrived there)
      this.deadNews = new Map(); // node -> Set of the nodes that sent or received its dead message
      this.header = lastHeader;
      this.holders = new Map(); // state key -> Map(node -> first t)
      this.notes = []; // {t, node, text, params}
      this.replies = new Map(); // command id -> resolve
      this.waits = []; // [cond, resolve]
      this.result = {};
      this.lines = []; // the summary's lines
      this.alive = true;
    }

    take(text) {
      for (const line of text.split("\n")) {
        if (line.indexOf(MSG) >= 0) {
          this.msgs++;
          const i = line.indexOf('"t":');
          if (i >= 0) this.now = Math.max(this.now, parseFloat(line.slice(i + 4)) || 0);
          if (line.indexOf('"key":') >= 0) { // a message carrying a silence or log entry, or news of a node
            try {
              const m = JSON.parse(line);
              this.carried.set(m.key, (this.carried.get(m.key) || 0) + 1);
              if (!m.lost && m.to) {
                let r = this.reached.get(m.key);
                if (!r) this.reached.set(m.key, (r = new Map()));
                const at = m.arrive || m.t;
                if (!(r.get(m.to) <= at)) r.set(m.to, at);
              }
              if (m.kind === "dead") this.heardDead(m);
            } catch (e) { /* the wasm reports bad lines */ }
          }
          continue;
        }
        if (line.indexOf(NOTE) < 0 && line.indexOf(STATE) < 0 && line.indexOf(REPLY) < 0 && line.indexOf(HEADER) < 0) continue;
        let ev;
        try {
          ev = JSON.parse(line);
        } catch (e) {
          continue;
        }
        if (ev.t > this.now) this.now = ev.t;
        if (ev.type === "header") this.header = ev.params || {};
        else if (ev.type === "state" && ev.node && ev.key) {
          let m = this.holders.get(ev.key);
          if (!m) this.holders.set(ev.key, (m = new Map()));
          if (!m.has(ev.node)) m.set(ev.node, ev.t);
        } else if (ev.type === "note" && ev.node) {
          this.notes.push({ t: ev.t, node: ev.node, key: ev.key || "", text: ev.text || "", params: ev.params || {} });
        } else if (ev.type === "reply" && this.replies.has(ev.id)) {
          this.replies.get(ev.id)(ev);
          this.replies.delete(ev.id);
        }
      }
      this.check();
      draw();
    }

    // heardDead notes who has node m.key dead: memberlist sends a dead
    // message only about a node it holds dead, and marks the node dead on
    // receiving one (no one can refute it across a partition).
    heardDead(m) {
      let s = this.deadNews.get(m.key);
      if (!s) this.deadNews.set(m.key, (s = new Set()));
      if (m.from) s.add(m.from);
      if (m.to && !m.lost) s.add(m.to);
    }

    // holdDead reports whether every node of `nodes` holds node dead.
    holdDead(node, nodes) {
      const s = this.deadNews.get(node);
      return !!s && nodes.every((n) => s.has(n));
    }

    check() {
      this.waits = this.waits.filter(([cond, resolve]) => {
        if (!cond()) return true;
        resolve();
        return false;
      });
    }

    // until resolves when cond holds (checked on every batch and every
    // 200 ms), or rejects after ms.
    until(what, cond, ms) {
      return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const entry = [cond, resolve];
        this.waits.push(entry);
        const poll = () => {
          if (!this.alive || !this.waits.includes(entry)) return;
          if (cond()) {
            this.check();
            return;
          }
          if (Date.now() - t0 > ms) {
            this.waits = this.waits.filter((w) => w !== entry);
            reject(new Error(`${what}: not within ${Math.round(ms / 1000)} s`));
            return;
          }
          setTimeout(poll, 200);
        };
        poll();
      });
    }

    // send gives the live source a command and resolves to its reply.
    send(cmd) {
      return new Promise((resolve, reject) => {
        if (!P.live || !P.live.open) return reject(new Error("no live source running"));
        const id = `lesson${++seq}`;
        this.replies.set(id, (r) => (r.error ? reject(new Error(`${cmd.cmd}: ${r.error}`)) : resolve(r)));
        try {
          P.live.send(Object.assign({ id }, cmd));
        } catch (e) {
          this.replies.delete(id);
          reject(e);
        }
      });
    }

    // The source's notification timings: memberlist mode's header has them
    // scaled; the server's lab runs Alertmanager's own peer timeout and the
    // lab's group_wait of 1 s.
    get peerTimeout() { return this.header.peerTimeoutMs || this.header.peer_timeout_ms || 15000; }
    get groupWait() { return this.header.groupWaitMs || 1000; }

    notesOf(text, since) {
      return this.notes.filter((n) => n.t >= (since || 0) && n.text.includes(text));
    }
  }
  let run = null;
  let seq = 0;

  // ---- what a lesson step can ask for ----

  const isLab = () => P.live && P.live.constructor === GossipLive && P.live.wanted;
  const names = () => [...(P.live ? P.live.nodes.keys() : [])].sort(); // byte order: Alertmanager's positions
  const running = () => names().filter((n) => P.live.nodes.get(n) === "alive");
  const numeric = (a, b) => a.localeCompare(b, "en", { numeric: true });

  // cluster starts n in-page nodes (opts: peerTimeoutMs, latencyMs), or,
  // against the lab, uses the lab's nodes as they are; resolves when every
  // node is alive in the majority's view.
  async function cluster(n, opts) {
    if (isLab()) {
      if (opts) throw new Error("this variant changes the cluster's settings, which only the in-page peers allow: open it in memberlist mode (without ?live=1)");
      await run.until("the lab", () => P.live.open && P.live.nodes.size > 0, 20000);
      // Undo what an earlier lesson left: a cut, crashed nodes.
      await run.send({ cmd: "heal" }).catch(() => {});
      await Promise.allSettled(names().filter((n) => P.live.nodes.get(n) !== "alive").map((node) => run.send({ cmd: "restart", node })));
    } else {
      run.header = {};
      P.startMemlab(Object.assign({ nodes: n, speedup: 5, awareness: true }, opts || {}));
      await run.until("the cluster to start", () => P.live && P.live.open && P.live.nodes.size === n, 60000);
    }
    await run.until("every node alive", () => P.live.nodes.size > 0 && running().length === P.live.nodes.size, 60000);
    run.nodes = names();
  }

  // spread creates a silence on node and resolves when every running node
  // holds it: {ms, msgs, nodes}.
  async function spread(node, comment) {
    const msgs0 = run.msgs;
    const before = new Set(run.holders.keys());
    const r = await run.send({ cmd: "silence", node, text: comment });
    // memberlist mode replies with the silence's id; the lab does not: its
    // silence is the new sil key.
    const id = ((r.text || "").match(/silence (\S+)/) || [])[1];
    let key = "";
    const find = () => {
      for (const k of run.holders.keys()) if (!key && (id ? k === `sil/${id}` : k.startsWith("sil/") && !before.has(k))) key = k;
      return key;
    };
    await run.until("the silence on every running node", () => {
      const m = find() && run.holders.get(key);
      return m && running().every((n) => m.has(n));
    }, 60000);
    const m = run.holders.get(key);
    const ts = running().map((n) => m.get(n));
    return { key, ms: Math.max(...ts) - Math.min(...ts), msgs: run.msgs - msgs0, carried: run.carried.get(key) || 0, nodes: ts.length };
  }

  // alert posts alert name to every node in `to` (all running nodes by
  // default), as Prometheus posts every alert to every Alertmanager, and
  // resolves once each has notified or skipped: the lesson's figures.
  async function alert(base, to) {
    // A fresh name each run: the lab keeps its notification log for the
    // repeat interval (1 h), so a name notified before would be skipped.
    const name = `${base}-${Date.now().toString(36)}`;
    const t0 = run.now;
    const msgs0 = run.msgs;
    let nodes = to || running();
    // Positions: index among the members by name (a node given the alert
    // is a member even when the view, told by its far side under a
    // partition, has it down).
    const sorted = [...new Set([...running(), ...nodes])].sort();
    run.alerting = { name, t0, nodes, pos: new Map(nodes.map((n) => [n, sorted.indexOf(n)])) };
    draw();
    // A node that just crashed may still count as alive in the views: it
    // refuses the alert, and the others go on.
    const took = await Promise.allSettled(nodes.map((node) => run.send({ cmd: "alert", node, text: name })));
    nodes = nodes.filter((n, i) => took[i].status === "fulfilled");
    if (nodes.length === 0) throw new Error("no node took the alert");
    run.alerting.nodes = nodes;
    const mine = (x) => x.t >= t0 && x.key.includes(`{alertname="${name}"}`); // this alert's group: earlier ones flush on
    const outcome = (n) => run.notes.some((x) => x.node === n && mine(x) && isDecision(x.text));
    const limit = run.groupWait + sorted.length * run.peerTimeout + 30000;
    // Every node that took the alert decides (a node suspected meanwhile
    // on a loaded machine still runs its pipeline).
    await run.until("every node to notify or skip", () => nodes.every(outcome), limit);
    // The alert's time: when the nodes took it (memberlist mode notes it
    // with each node's position), else when the command went out.
    const taken = run.notesOf("received; position", t0).filter(mine);
    const took0 = taken.map((x) => x.t);
    const at = took0.length ? Math.min(...took0) : t0;
    const sent = run.notes.filter((x) => mine(x) && isSent(x.text) && nodes.includes(x.node));
    // A node's first outcome counts: later group_interval flushes skip
    // what the node itself logged.
    const skipped = nodes.filter((n) => {
      const first = run.notes.find((x) => x.node === n && mine(x) && isDecision(x.text));
      return first && !isSent(first.text);
    });
    const nfl = nflHolders(name);
    let carried = 0;
    for (const [k, c] of run.carried) if (k.startsWith("nfl/") && k.includes(`{alertname="${name}"}`)) carried += c;
    // A second sender is explained when no message carrying the log entry
    // had reached it when it notified: each holder gossips a new entry to
    // a few random members once (memberlist's retransmit limit), and a
    // node none of them picked learns it only at a push-pull, which may
    // come after its wait.
    const reachedAt = (n) => {
      let first = Infinity;
      for (const [k, r] of run.reached) if (k.startsWith("nfl/") && k.includes(`{alertname="${name}"}`) && r.has(n)) first = Math.min(first, r.get(n));
      return first;
    };
    // When it read the log (its note before sending), not when the
    // webhook answered: an entry arriving in between came too late.
    const readAt = (x) => {
      const r = run.notes.filter((y) => y.node === x.node && mine(y) && y.text.includes("notification log lacks it") && y.t <= x.t);
      return r.length ? r[r.length - 1].t : x.t;
    };
    const unreached = sent.slice(1).filter((x) => !(reachedAt(x.node) <= readAt(x))).map((x) => x.node).sort(numeric);
    const res = {
      alert: name, notifications: sent.length, unreached, senders: sent.map((x) => x.node).sort(numeric), firstSender: sent.length ? sent[0].node : "",
      firstMs: sent.length ? sent[0].t - at : null, skipped: skipped.sort(numeric),
      nflHolders: nfl.size, msgs: run.msgs - msgs0, carried,
      // Each node's position in its own view when it took the alert
      // (memberlist mode notes it; {} against the lab).
      positions: Object.fromEntries(taken.map((x) => [x.node, x.params.position])),
    };
    run.alerting.done = res;
    return res;
  }

  // nflHolders: who holds the notification-log entry of alert name's group
  // (key nfl/{}:{alertname="name"}:receiver/integration/idx), since when.
  function nflHolders(name) {
    for (const [k, m] of run.holders) if (k.startsWith("nfl/") && k.includes(`{alertname="${name}"}`)) return m;
    return new Map();
  }

  // N(i) is the i-th node by name: n1, n2, ... in memberlist mode, the
  // lab's own names against the lab.
  const N = (i) => (run.nodes || names())[i];

  const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const secs = (ms) => (ms == null ? "…" : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
  // observed: per Alertmanager (the observer's alias), its HA position and
  // the notifications its /metrics counted since the lesson began.
  function observed() {
    const out = new Map();
    // A gauge is reported when it changes, so a page that joined later has
    // no position from /metrics: Alertmanager's rule gives it, the index of
    // the peer's name among the members' sorted by byte order (the
    // header's peer_names: alias -> peer name).
    const peers = run.header.peer_names || {};
    const members = Object.keys(peers).filter((a) => !P.live || !P.live.nodes.has(a) || P.live.nodes.get(a) === "alive")
      .sort((a, b) => (peers[a] < peers[b] ? -1 : peers[a] > peers[b] ? 1 : 0));
    members.forEach((a, i) => out.set(a, { position: i, notifications: 0 }));
    for (const x of run.notes) {
      const p = x.params;
      if (!p.metrics) continue;
      const o = out.get(x.node) || { position: null, notifications: 0 };
      if (p.value && p.value.position != null) o.position = p.value.position;
      if (p.delta && p.delta.notifications) o.notifications += p.delta.notifications;
      out.set(x.node, o);
    }
    return out;
  }

  // The lessons (web/lesson-defs.js), given what their steps can ask for.
  const LESSONS = P.lessonDefs({
    get run() { return run; },
    cluster, spread, alert, N, names, running, isLab, observed, secs,
  });


  // ---- the card ----

  let card = null;
  function makeCard() {
    card = document.createElement("section");
    card.id = "lesson";
    card.setAttribute("aria-live", "polite");
    card.innerHTML = `<h2 id="lesson-title"></h2><p id="lesson-step" class="muted"></p><p id="lesson-caption"></p>
      <div id="lesson-lanes"></div><ul id="lesson-summary"></ul>
      <div class="row"><button id="lesson-next" type="button">Next</button><button id="lesson-restart" type="button">Restart</button><button id="lesson-close" type="button">Close</button></div>`;
    document.body.appendChild(card);
    $("lesson-next").addEventListener("click", () => api.next());
    $("lesson-restart").addEventListener("click", () => api.restart());
    $("lesson-close").addEventListener("click", () => api.close());
  }

  // draw shows the step, and during an alert a lane per node: its wait
  // (group_wait + position x peer timeout) filling up, its log entry's
  // arrival (blue), and what it did (green sent, grey skipped); and the
  // receiver's lane counting notifications.
  function draw() {
    if (!run || !card) return;
    const a = run.alerting;
    const lanes = $("lesson-lanes");
    if (run.observing) {
      let html = "";
      for (const [n, o] of [...observed()].sort((x, y) => numeric(x[0], y[0]))) {
        html += `<div class="lane"><span class="who">${esc(n)} <small>pos ${o.position == null ? "?" : esc(o.position)}</small></span><span class="track">` +
          `${"<span class=\"mark sent\" style=\"position:relative;display:inline-block;margin:0 0.2em\"></span>".repeat(Math.min(20, o.notifications))}</span><span class="what">${o.notifications} sent</span></div>`;
      }
      lanes.innerHTML = html;
      return;
    }
    if (!a) {
      lanes.textContent = "";
      return;
    }
    const total = run.groupWait + Math.max(1, a.nodes.length) * run.peerTimeout;
    const pct = (t) => `${Math.max(0, Math.min(100, ((t - a.t0) / total) * 100)).toFixed(1)}%`;
    const nfl = nflHolders(a.name);
    let html = "";
    for (const n of a.nodes) {
      const pos = a.pos.get(n);
      const end = a.t0 + run.groupWait + pos * run.peerTimeout;
      const did = run.notes.find((x) => x.node === n && x.t >= a.t0 && x.key.includes(`{alertname="${a.name}"}`) && isDecision(x.text));
      const left = did ? "" : ` ${secs(Math.max(0, end - run.now))} left`;
      html += `<div class="lane"><span class="who">${esc(n)} <small>pos ${pos}</small></span><span class="track">` +
        `<span class="wait" style="width:${pct(Math.min(run.now, end))}"></span>` +
        (nfl.has(n) ? `<span class="mark nfl" style="left:${pct(nfl.get(n))}" title="log entry"></span>` : "") +
        (did ? `<span class="mark ${isSent(did.text) ? "sent" : "skip"}" style="left:${pct(did.t)}"></span>` : "") +
        `</span><span class="what">${did ? (isSent(did.text) ? "sent" : "skipped") : left}</span></div>`;
    }
    const sent = run.notes.filter((x) => x.t >= a.t0 && x.key.includes(`{alertname="${a.name}"}`) && isSent(x.text) && a.nodes.includes(x.node));
    html += `<div class="lane receiver"><span class="who">receiver</span><span class="track">` +
      sent.map((x) => `<span class="mark sent" style="left:${pct(x.t)}" title="${esc(x.node)}"></span>`).join("") +
      `</span><span class="what">${sent.length} sent</span></div>`;
    lanes.innerHTML = html;
  }

  function show() {
    const L = LESSONS[run.lesson];
    const v = L.variants[run.variant];
    $("lesson-title").textContent = `${L.title}: ${v.label}`;
    const sum = $("lesson-summary");
    sum.textContent = "";
    if (run.done) {
      $("lesson-step").textContent = "Summary";
      $("lesson-caption").textContent = isLab() ? "Measured on the server's lab." : "Measured on the in-page peers.";
      for (const l of run.lines) {
        const li = document.createElement("li");
        li.textContent = l;
        sum.appendChild(li);
      }
    } else {
      const s = v.steps[run.step];
      $("lesson-step").textContent = `Step ${run.step + 1} of ${v.steps.length}${run.ready ? "" : " (running…)"}`;
      $("lesson-caption").textContent = s.caption(captionFacts());
    }
    $("lesson-next").disabled = run.done || !run.ready;
    $("lesson-next").textContent = run.step === v.steps.length - 1 ? "Summary" : "Next";
    draw();
  }

  const captionFacts = () => ({ nodes: run.nodes || names(), groupWait: run.groupWait, peerTimeout: run.peerTimeout });

  // act runs the current step; the next button waits for its outcome.
  function act() {
    const v = LESSONS[run.lesson].variants[run.variant];
    const r = run;
    r.ready = false;
    show();
    Promise.resolve()
      .then(() => v.steps[r.step].act())
      .then(() => {
        if (r !== run) return;
        r.ready = true;
        show();
      })
      .catch((e) => {
        if (r !== run) return;
        r.error = e.message;
        P.showError(`Lesson step ${r.step + 1}: ${e.message}`);
      });
  }

  const api = (window.gossipscopeLessons = {
    lessons: () => Object.fromEntries(Object.entries(LESSONS).map(([k, l]) => [k, Object.keys(l.variants)])),
    start(lesson, variant) {
      const L = LESSONS[lesson];
      if (!L) return P.showError(`No lesson “${lesson}”: ${Object.keys(LESSONS).join(", ")}.`);
      variant = variant || Object.keys(L.variants)[0];
      if (!L.variants[variant]) return P.showError(`Lesson ${lesson} has no variant “${variant}”: ${Object.keys(L.variants).join(", ")}.`);
      if (run) run.alive = false;
      run = new Run(lesson, variant);
      if (!card) makeCard();
      card.hidden = false;
      P.updateInsets(); // page.js places it clear of the scene
      run.step = 0;
      act();
      P.syncURL();
    },
    next() {
      if (!run || !run.ready || run.done) return;
      const v = LESSONS[run.lesson].variants[run.variant];
      if (run.step + 1 < v.steps.length) {
        run.step++;
        act();
        return;
      }
      run.done = true;
      run.lines = v.summary(run.result);
      show();
    },
    restart() {
      if (run) api.start(run.lesson, run.variant);
    },
    close() {
      if (run) run.alive = false;
      run = null;
      if (card) card.hidden = true;
      P.updateInsets();
      P.syncURL();
    },
    get step() { return run ? run.step : -1; },
    get steps() { return run ? LESSONS[run.lesson].variants[run.variant].steps.length : 0; },
    get ready() { return !!(run && run.ready); },
    get done() { return !!(run && run.done); },
    get error() { return run ? run.error || "" : ""; },
    get result() { return run ? run.result : null; },
    get peerTimeoutMs() { return run ? run.peerTimeout : 0; },
    // observed(): in the observe variant, {alias: {position, notifications}} so far.
    observed: () => (run ? Object.fromEntries(observed()) : {}),
    get summary() { return run ? run.lines : []; },
  });

  P.startLesson = (lesson, variant) => api.start(lesson, variant);
  // urlParams: the lesson in the page's URL (?lesson=ha-notify&variant=partition).
  P.lessonParams = () => (run ? { lesson: run.lesson, variant: run.variant } : {});

  // The lessons' buttons, on the memberlist card and the live lab's.
  P.onReadyHooks.push(() => {
    for (const [box, where] of [["ml-lessons", "memberlist"], ["live-controls", "lab"]]) {
      const parent = $(box);
      if (!parent) continue;
      const grid = document.createElement("div");
      grid.className = "preset-grid ha-lessons";
      grid.setAttribute("aria-label", `Alertmanager HA lessons (${where})`);
      for (const [id, L] of Object.entries(LESSONS)) {
        for (const [vid, v] of Object.entries(L.variants)) {
          // observe needs a real cluster; slow changes settings only the
          // in-page peers take.
          if ((where === "memberlist" && vid === "observe") || (where === "lab" && vid === "slow")) continue;
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = `${id === "ha-silence" ? "HA 1" : "HA 2"}: ${v.label}`;
          b.dataset.lesson = id;
          b.dataset.variant = vid;
          b.addEventListener("click", () => api.start(id, vid));
          grid.appendChild(b);
        }
      }
      if (box === "ml-lessons") parent.after(grid);
      else parent.appendChild(grid);
    }
  });
})();
