// The planner card: for a memberlist cluster's size and dissemination
// settings, the spread over many exact trials of the time until 50%, 99%
// and 100% of the nodes know, drawn as percentile bands beside Serf's
// single formula curve. The trials run in the wasm (gossipscope.plan,
// docs/jsapi.md: engine.Plan, the count-level chain); this file only draws.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  // Sliders: [id, label, min, max, step, value, format]. Nodes is a log
  // scale: the slider holds log10(N).
  const fields = [
    ["nodes", "nodes N", 1, 9, 0.01, 4, (v) => fmtInt(Math.round(10 ** v))],
    ["interval", "gossip interval", 10, 2000, 10, 200, (v) => `${v} ms`],
    ["gossipNodes", "gossip nodes", 1, 10, 1, 3, (v) => `${v}`],
    ["retransmitMult", "retransmit mult", 1, 10, 1, 4, (v) => `${v}`],
    ["loss", "packet loss", 0, 0.5, 0.01, 0, (v) => `${Math.round(v * 100)}%`],
    ["failed", "failed nodes", 0, 0.5, 0.01, 0, (v) => `${Math.round(v * 100)}%`],
    ["trials", "trials", 100, 5000, 100, 1000, (v) => fmtInt(v)],
  ];
  const fmtInt = (n) => n.toLocaleString("en-US");
  const fmtMs = (t) => (t < 0 ? "never" : t >= 10000 ? `${(t / 1000).toFixed(1)} s` : `${Math.round(t)} ms`);

  function build() {
    const panel = document.getElementById("panel");
    if (!panel || document.getElementById("sec-planner")) return;
    const card = document.createElement("section");
    card.id = "sec-planner";
    card.className = "card";
    card.setAttribute("aria-labelledby", "h-planner");
    card.innerHTML = `<details><summary><h2 id="h-planner">Planner: memberlist</h2></summary>
      <p class="hint">How long until the cluster knows? Every interval each node holding the news
      sends it to <i>gossip nodes</i> peers, mult × ⌈log10(N+1)⌉ times in all. Bands: 5th to 95th
      percentile over exact trials; dashed: Serf's convergence formula.</p>
      <div class="grid" id="planner-form"></div>
      <svg id="planner-chart" viewBox="0 0 300 170" width="100%" role="img" aria-label="Coverage over time: percentile band and Serf's curve"></svg>
      <table id="planner-table" style="width:100%;font-size:0.85em;white-space:nowrap;text-align:right" aria-label="Time until 50, 99 and 100 percent know">
        <thead><tr><th scope="col"></th><th scope="col">p5</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">Serf</th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="hint" id="planner-note"></p></details>`;
    panel.appendChild(card);
    const form = card.querySelector("#planner-form");
    for (const [id, label, min, max, step, value, fmt] of fields) {
      const l = document.createElement("label");
      l.htmlFor = `pl-${id}`;
      l.textContent = label;
      const wrap = document.createElement("span");
      wrap.style.cssText = "display:flex;align-items:center;gap:0.4em";
      const input = Object.assign(document.createElement("input"), { id: `pl-${id}`, type: "range", min, max, step, value });
      input.style.cssText = "flex:1;min-width:0";
      const out = Object.assign(document.createElement("output"), { htmlFor: `pl-${id}` });
      out.style.cssText = "min-width:4.6em;text-align:right;font-variant-numeric:tabular-nums";
      out.textContent = fmt(value);
      input.addEventListener("input", () => { out.textContent = fmt(+input.value); schedule(); });
      wrap.append(input, out);
      form.append(l, wrap);
    }
    card.querySelector("details").addEventListener("toggle", schedule);
  }

  function settings() {
    const v = (id) => +document.getElementById(`pl-${id}`).value;
    const nodes = Math.max(2, Math.round(10 ** v("nodes")));
    return {
      nodes, interval: v("interval"), gossipNodes: v("gossipNodes"), retransmitMult: v("retransmitMult"),
      loss: v("loss"), failed: Math.min(nodes - 1, Math.round(v("failed") * nodes)), trials: v("trials"), seed: 1,
    };
  }

  // One computation per frame at most, so a dragged slider stays live.
  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  }

  function update() {
    const card = document.getElementById("sec-planner");
    if (!card || !card.querySelector("details").open || !window.gossipscope || !window.gossipscope.plan) return;
    const s = settings();
    const t0 = performance.now();
    const res = window.gossipscope.plan(s);
    const ms = performance.now() - t0;
    const note = document.getElementById("planner-note");
    if (!res.ok) { note.textContent = res.error; return; }
    draw(res);
    const rows = [["50%", res.time_50, res.theory_serf.time_50], ["99%", res.time_99, res.theory_serf.time_99],
      ["100%", res.time_100, res.theory_serf.time_99_99]];
    document.querySelector("#planner-table tbody").innerHTML = rows.map(([name, b, th]) =>
      `<tr><th scope="row">${name}</th><td>${fmtMs(b.p5)}</td><td>${fmtMs(b.p50)}</td><td>${fmtMs(b.p95)}</td><td>${fmtMs(th)}${name === "100%" ? "*" : ""}</td></tr>`).join("");
    const reached = (100 * res.time_100.reached / s.trials).toFixed(1);
    note.textContent = `${fmtInt(s.trials)} trials of ${fmtInt(s.nodes)} nodes (${res.method}) in ${Math.round(ms)} ms; ` +
      `each news sent ${res.sends_per_news} times; everyone reached in ${reached}% of trials ` +
      `("never": gossip alone did not get there). *Serf's curve stops at 99.99%.`;
  }

  // draw: coverage (0..100%) against time; the p5-p95 band filled, the
  // median a line, Serf's formula dashed.
  function draw(res) {
    const svg = document.getElementById("planner-chart");
    const W = 300, H = 170, L = 30, R = 6, T = 6, B = 22;
    const curve = res.curve;
    const tmax = Math.max(curve[curve.length - 1].t, res.theory_serf.time_99_99 > 0 ? res.theory_serf.time_99_99 : 0) || 1;
    const x = (t) => L + (W - L - R) * t / tmax;
    const y = (f) => T + (H - T - B) * (1 - f);
    const path = (pts) => pts.map(([a, b], i) => `${i ? "L" : "M"}${a.toFixed(1)},${b.toFixed(1)}`).join("");
    const band = path(curve.map((p) => [x(p.t), y(p.p95)]).concat(curve.slice().reverse().map((p) => [x(p.t), y(p.p5)]))) + "Z";
    const median = path(curve.map((p) => [x(p.t), y(p.p50)]));
    const theory = [];
    for (let i = 0; i <= 60; i++) {
      const t = tmax * i / 60;
      const rate = res.config.gossip_nodes * (1 - res.config.packet_loss) * (1 - res.config.failed_nodes / res.config.nodes) / 2;
      theory.push([x(t), y(1 / (1 + (res.config.nodes + 1) * Math.exp(-rate * t / res.config.gossip_interval_ms)))]);
    }
    const grid = [0, 0.5, 0.99].map((f) => `<line x1="${L}" x2="${W - R}" y1="${y(f)}" y2="${y(f)}" stroke="currentColor" stroke-opacity="0.15"/>` +
      `<text x="${L - 3}" y="${y(f) + 3}" font-size="8" text-anchor="end" fill="currentColor">${Math.round(f * 100)}%</text>`).join("");
    svg.innerHTML = grid +
      `<path d="${band}" fill="#f5a524" fill-opacity="0.35" stroke="none"><title>5th to 95th percentile of coverage</title></path>` +
      `<path d="${median}" fill="none" stroke="#f5a524" stroke-width="1.5"><title>median coverage</title></path>` +
      `<path d="${path(theory)}" fill="none" stroke="#7fd4ff" stroke-width="1.2" stroke-dasharray="4 3"><title>Serf's formula</title></path>` +
      `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="currentColor" stroke-opacity="0.4"/>` +
      `<text x="${L}" y="${H - 8}" font-size="8" fill="currentColor">0</text>` +
      `<text x="${W - R}" y="${H - 8}" font-size="8" text-anchor="end" fill="currentColor">${fmtMs(tmax)}</text>` +
      `<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="8" text-anchor="middle" fill="currentColor">time since the news</text>`;
  }

  // Exposed for the browser test and the console.
  window.gossipscopePlanner = { update, settings };

  const start = () => { build(); if (window.gossipscope) schedule(); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
  window.addEventListener("gossipscope-ready", schedule);
})();
