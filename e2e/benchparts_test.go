package e2e

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
)

// BenchmarkPageParts tells what each part of the page's frame costs the
// browser: the page of BenchmarkPage (1,000 nodes unless BENCH_NODES says
// otherwise) plays in one tab while the JS API's leaveOut diagnostic
// stops drawing one part at a time, in turn, three windows of each,
// interleaved; the figures are medians of the GPU process's and the
// renderer's CPU per frame. What a part costs is the whole frame's figure
// less the one without it; "nothing" leaves every part out: what a frame
// costs the browser with nothing drawn in it (presenting and compositing
// the canvas, the page's own loop); "all-on-canvas" is the whole frame
// drawn by WebGL on ebiten's canvas, its still part (nodes not glowing,
// texts, panel) not on its plane (on a software renderer; the same as
// "whole" on a GPU). Run it with -benchtime 1x.
func BenchmarkPageParts(b *testing.B) {
	needBrowser(b)
	nodes := 1000
	if n, err := strconv.Atoi(os.Getenv("BENCH_NODES")); err == nil && n > 0 {
		nodes = n
	}
	ctx, done := benchTab(b)
	defer done()
	// A longer run than BenchmarkPage's: the windows here add up to a minute.
	openBenchScenario(b, ctx, nodes, 80000)
	parts := []struct{ name, arg string }{
		{"whole", `{}`},
		{"no-under", `{under: true}`}, // dots, trails, glows, and the nodes below 2,501
		{"no-panel", `{panel: true}`},
		{"no-over", `{over: true}`},
		{"nothing", `{under: true, nodeLayer: true, panel: true, over: true}`},
		// The whole frame drawn by WebGL on ebiten's canvas, its still part
		// not on its own plane (software renderers: wasm/stillplane.go).
		{"all-on-canvas", `{}`},
	}
	gpu := map[string][]float64{}
	ren := map[string][]float64{}
	fps := map[string][]float64{}
	for rep := 0; rep < benchReps; rep++ {
		for _, p := range parts {
			api(b, ctx, "leaveOut("+p.arg+")")
			api(b, ctx, fmt.Sprintf("setPlane(%v)", p.name != "all-on-canvas"))
			var w window
			measureFrames(b, ctx, &w, nil)
			gpu[p.name] = append(gpu[p.name], w.gpuMs)
			ren[p.name] = append(ren[p.name], w.rendererMs)
			fps[p.name] = append(fps[p.name], w.fps)
		}
	}
	api(b, ctx, "leaveOut({})")
	if st := state(b, ctx); st.Nodes != nodes || !st.Playing || st.Error != "" {
		b.Fatalf("the page was not animating %d nodes: %+v", nodes, st)
	}
	median := func(v []float64) float64 {
		v = slices.Clone(v)
		slices.Sort(v)
		return v[len(v)/2]
	}
	for _, p := range parts {
		b.ReportMetric(median(gpu[p.name]), fmt.Sprintf("%s-gpu-ms/frame", p.name))
		b.ReportMetric(median(ren[p.name]), fmt.Sprintf("%s-renderer-ms/frame", p.name))
		b.ReportMetric(median(fps[p.name]), fmt.Sprintf("%s-fps", p.name))
	}
	b.Logf("%d nodes, GPU process ms/frame by window: %v", nodes, gpu)
	b.Logf("%d nodes, renderer ms/frame by window: %v", nodes, ren)
}
