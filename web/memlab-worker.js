// Memberlist mode's worker: runs web/memlab.wasm (real memberlist nodes)
// on a thread of its own, so that drawing the page never delays the nodes'
// timers (a probe answered late because a frame was being drawn would be a
// false suspicion the page invented). It relays between the page and the
// program's API (self.gossipscopeMemlab, docs/jsapi.md):
//   page -> worker: {id, op: "start", opts} | {id, op: "command", json} |
//                   {id, op: "query", node} | {id, op: "stop"}
//   worker -> page: {type: "ready", loadMs} | {type: "failed", error} |
//                   {type: "events", text} | {type: "reply", id, result}
"use strict";

importScripts("wasm_exec.js");

const ready = (async () => {
  const t0 = performance.now();
  const go = new Go();
  const resp = await fetch("memlab.wasm");
  if (!resp.ok) throw new Error(`web/memlab.wasm: HTTP ${resp.status}. Build it with \`make wasm\`.`);
  const streaming = WebAssembly.instantiateStreaming &&
    (resp.headers.get("Content-Type") || "").startsWith("application/wasm");
  const { instance } = streaming
    ? await WebAssembly.instantiateStreaming(resp, go.importObject)
    : await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
  const started = new Promise((resolve) => self.addEventListener("gossipscope-memlab-ready", resolve, { once: true }));
  go.run(instance).catch((e) => postMessage({ type: "failed", error: `memberlist stopped: ${e && e.message ? e.message : e}` }));
  if (!self.gossipscopeMemlab) await started;
  const api = self.gossipscopeMemlab;
  api.onEvents = (text) => postMessage({ type: "events", text });
  postMessage({ type: "ready", loadMs: performance.now() - t0 });
  return api;
})();
ready.catch((e) => postMessage({ type: "failed", error: e.message || String(e) }));

self.onmessage = async (ev) => {
  const m = ev.data || {};
  let api;
  try {
    api = await ready;
  } catch (e) {
    return; // "failed" was posted
  }
  let result;
  switch (m.op) {
    case "start": result = api.start(m.opts || {}); break;
    case "command": result = api.command(m.json); break;
    case "stop": result = api.stop(); break;
    case "query":
      result = { counters: api.counters(), views: api.views(), members: m.node ? api.members(m.node) : null, node: m.node || "" };
      break;
    default: result = { ok: false, error: `unknown op ${m.op}` };
  }
  postMessage({ type: "reply", id: m.id, result });
};
