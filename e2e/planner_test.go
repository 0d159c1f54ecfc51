package e2e

import (
	"testing"
	"time"
)

// The planner card (web/planner.js over gossipscope.plan): it draws the
// percentile band, the median and Serf's curve, fills the table, follows
// its sliders (more loss, later 99%), and a bad setting comes back as an
// error rather than a throw. The in-page time of 1,000 trials of 10,000
// nodes is logged (measured, not asserted: speed belongs to benchmarks).
func TestPlannerPanel(t *testing.T) {
	ctx := newTab(t, 120*time.Second)
	openPage(t, ctx, pageURL(""))
	waitFor(t, ctx, 10*time.Second, "the planner card", `document.getElementById("sec-planner")`)
	eval[bool](t, ctx, `(() => {
		const d = document.querySelector("#sec-planner details"); d.open = true;
		document.getElementById("pl-nodes").value = 4;
		document.getElementById("pl-trials").value = 1000;
		gossipscopePlanner.update(); return true })()`)
	band := eval[string](t, ctx, `document.querySelector("#planner-chart path").getAttribute("d")`)
	paths := eval[int](t, ctx, `document.querySelectorAll("#planner-chart path").length`)
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll("#planner-table tbody tr")].map(r => r.textContent)`)
	if len(band) < 100 || paths != 3 || len(rows) != 3 {
		t.Fatalf("band %q, %d paths, rows %q", band, paths, rows)
	}
	t.Logf("table: %q; note: %s", rows, eval[string](t, ctx, `document.getElementById("planner-note").textContent`))
	ms := eval[float64](t, ctx, `(() => { const t0 = performance.now();
		const r = gossipscope.plan({nodes: 10000, trials: 1000}); if (!r.ok) throw r.error;
		return performance.now() - t0 })()`)
	t.Logf("gossipscope.plan: 1,000 trials of 10,000 nodes in %.0f ms in the page", ms)
	p99 := func() float64 {
		return eval[float64](t, ctx, `gossipscope.plan(gossipscopePlanner.settings()).time_99.p50`)
	}
	before := p99()
	eval[bool](t, ctx, `(() => { const l = document.getElementById("pl-loss"); l.value = 0.4;
		l.dispatchEvent(new Event("input")); return true })()`)
	waitFor(t, ctx, 5*time.Second, "the table to follow the loss slider",
		`document.querySelector("#planner-note").textContent.includes("trials")`)
	if after := p99(); !(after > before) {
		t.Errorf("40%% loss: median time to 99%% %v ms, without loss %v ms", after, before)
	}
	res := eval[map[string]any](t, ctx, `gossipscope.plan({nodes: 1, gossipNodes: 0})`)
	if res["ok"] != false || res["error"] == "" {
		t.Errorf("a bad setting: %v", res)
	}
}
