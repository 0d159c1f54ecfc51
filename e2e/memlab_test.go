package e2e

import (
	"testing"
	"time"
)

// TestMemberlistModeDetectsACrash: on a static host (no server), the page
// loads its second program and runs 20 real memberlist nodes; they
// converge, one is crashed with the panel's button, the others probe it,
// suspect it and declare it dead, and the counters show how long each step
// took beside memberlist's formula; a silence created on another node
// then reaches every running one.
func TestMemberlistModeDetectsACrash(t *testing.T) {
	needBrowser(t)
	base := staticHost(t)
	ctx := newTab(t, 3*time.Minute)
	openPage(t, ctx, base+"?panel=1")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("page errors: %q", eval[[]string](t, ctx, `gossipscopePage.errors`))
			t.Logf("counters: %s", eval[string](t, ctx, `document.getElementById("ml-counters").textContent`))
		}
	})
	eval[bool](t, ctx, `document.getElementById("ml-nodes").value = "20"; document.getElementById("ml-start").click(); true`)
	waitFor(t, ctx, 60*time.Second, "20 memberlist nodes alive in the page",
		`gossipscopePage.live instanceof GossipMemlab && gossipscopePage.live.open && gossipscopePage.live.nodes.size === 20 &&
		 [...gossipscopePage.live.nodes.values()].every(s => s === "alive") && gossipscope.state().nodes === 20`)
	st := state(t, ctx)
	if st.Source != "live" || st.Messages == 0 {
		t.Errorf("state %+v: want a live stream with messages", st)
	}
	if s := eval[string](t, ctx, `gossipscope.state().stream`); s != "memberlist" {
		t.Errorf("stream source %q, want memberlist", s)
	}
	if !eval[bool](t, ctx, `gossipscopePage.liveAvailable === false`) {
		t.Error("a static host should have no live server; the memberlist mode needs none")
	}

	// Crash n7 with the panel's controls.
	waitFor(t, ctx, 5*time.Second, "the node list", `document.getElementById("ml-node").options.length === 20`)
	eval[bool](t, ctx, `gossipscope.select(null); document.getElementById("ml-node").value = "n7"; document.getElementById("ml-crash").click(); true`)
	waitFor(t, ctx, 30*time.Second, "n7 dead in every view, and the page says so",
		`(() => { const l = gossipscopePage.live.latest, c = l && l.counters; return c && c.crash && c.crash.node === "n7" && c.crash.deadEverywhereMs !== null &&
		   gossipscopePage.live.nodes.get("n7") === "dead" &&
		   document.getElementById("ml-counters").textContent.includes("dead in every view after"); })()`)
	type timing struct {
		FirstSuspicionMs, FirstDeadMs, DeadEverywhereMs, SuspicionMinMs, SuspicionMaxMs, GossipMs float64
	}
	tm := eval[timing](t, ctx, `(() => { const c = gossipscopePage.live.latest.counters; return {FirstSuspicionMs: c.crash.firstSuspicionMs,
		FirstDeadMs: c.crash.firstDeadMs, DeadEverywhereMs: c.crash.deadEverywhereMs, SuspicionMinMs: c.suspicionMinMs, SuspicionMaxMs: c.suspicionMaxMs, GossipMs: c.gossipMs}; })()`)
	t.Logf("in the page: crash -> first suspicion %.0f ms, -> dead %.0f ms, -> dead everywhere %.0f ms (formula %.0f..%.0f ms)",
		tm.FirstSuspicionMs, tm.FirstDeadMs, tm.DeadEverywhereMs, tm.SuspicionMinMs, tm.SuspicionMaxMs)
	if d := tm.FirstDeadMs - tm.FirstSuspicionMs; d < tm.SuspicionMinMs-tm.GossipMs-5 { // the suspect message may wait a gossip interval to go out
		t.Errorf("dead %.0f ms after the first suspicion, sooner than memberlist's minimum %.0f", d, tm.SuspicionMinMs)
	}
	if !(tm.FirstSuspicionMs > 0 && tm.FirstSuspicionMs <= tm.FirstDeadMs && tm.FirstDeadMs <= tm.DeadEverywhereMs+1) {
		t.Errorf("timings out of order: %+v", tm)
	}
	// The scene plays it (its playhead follows the stream up to 1.5 s behind).
	waitFor(t, ctx, 10*time.Second, "the scene to draw n7 dead",
		`gossipscope.select("n7").ok !== false && gossipscope.state().selected.status === "dead"`)
	// n1's own member table, shown when it is clicked.
	eval[bool](t, ctx, `gossipscope.select("n1"); true`)
	waitFor(t, ctx, 5*time.Second, "n1's member table with n7 dead",
		`(() => { const rows = [...document.querySelectorAll("#ml-table-rows tr")]; return rows.length === 20 &&
		   rows.some(r => r.cells[0].textContent === "n7" && r.cells[1].textContent === "dead") &&
		   rows.filter(r => r.cells[1].textContent === "alive").length === 19; })()`)
	// A silence created on n2 with the panel's button reaches the 18 others
	// that are running.
	eval[bool](t, ctx, `gossipscope.select(null); document.getElementById("ml-node").value = "n2";
		document.getElementById("ml-silence-text").value = "e2e maintenance"; document.getElementById("ml-silence").click(); true`)
	waitFor(t, ctx, 30*time.Second, "the silence on all 19 running nodes",
		`gossipscope.keys().some(k => k.comment === "e2e maintenance" && k.holders === 19)`)
	// What the page recorded plays back as a recording: the crash and the
	// silence are in it.
	type loaded struct {
		OK     bool
		Events int
		Error  string
	}
	rec := eval[loaded](t, ctx, `(() => { const text = gossipscopePage.live.recorded.join("");
		window.__hasCrash = text.includes('"node":"n7","status":"dead"'); window.__hasSilence = text.includes("e2e maintenance");
		gossipscopePage.leaveLive(); const r = gossipscope.loadRecording(text); return {OK: r.ok !== false, Events: r.events || 0, Error: r.error || ""}; })()`)
	if !rec.OK || rec.Events < 1000 || !eval[bool](t, ctx, `__hasCrash && __hasSilence`) {
		t.Errorf("the recording: %+v (crash in it: %v, silence: %v)", rec, eval[bool](t, ctx, `__hasCrash`), eval[bool](t, ctx, `__hasSilence`))
	}
	if errs := eval[[]string](t, ctx, `gossipscopePage.errors`); len(errs) > 0 {
		t.Errorf("page errors: %q", errs)
	}
}

// TestMemberlistModeFromTheURL: ?memberlist=6&awareness=0 starts six nodes
// without Lifeguard's awareness, and the URL keeps saying so.
func TestMemberlistModeFromTheURL(t *testing.T) {
	needBrowser(t)
	base := staticHost(t)
	ctx := newTab(t, 2*time.Minute)
	openPage(t, ctx, base+"?memberlist=6&awareness=0&panel=1")
	waitFor(t, ctx, 60*time.Second, "6 memberlist nodes alive",
		`gossipscopePage.live instanceof GossipMemlab && gossipscopePage.live.nodes.size === 6 &&
		 [...gossipscopePage.live.nodes.values()].every(s => s === "alive")`)
	waitFor(t, ctx, 10*time.Second, "the counters", `gossipscopePage.live.latest !== null`)
	if eval[bool](t, ctx, `gossipscopePage.live.latest.counters.awareness`) {
		t.Error("awareness=0 in the URL, yet the cluster runs with Lifeguard's awareness")
	}
	waitFor(t, ctx, 5*time.Second, "the URL to say memberlist", `location.search.includes("memberlist=6") && location.search.includes("awareness=0")`)
}
