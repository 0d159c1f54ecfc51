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

  // probe reports whether a live server answers, within timeoutMs. It closes
  // the probe socket at once so the server does not stream to a page that
  // has not asked for it.
  static probe(timeoutMs) {
    const url = GossipLive.wsURL();
    if (!url) return Promise.resolve(false);
    return new Promise((resolve) => {
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        resolve(false);
        return;
      }
      const done = (ok) => {
        clearTimeout(timer);
        ws.onopen = ws.onerror = ws.onclose = null;
        try { ws.close(); } catch (e) { /* already closed */ }
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      ws.onopen = () => done(true);
      ws.onerror = () => done(false);
      ws.onclose = () => done(false);
    });
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
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
