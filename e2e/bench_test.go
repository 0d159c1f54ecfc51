package e2e

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The benchmark's window: a common laptop screen.
const (
	benchW = 1280
	benchH = 800
	// benchSpan is one measured window; benchReps windows of each page,
	// interleaved, make one figure (the median).
	benchSpan = 3 * time.Second
	benchReps = 3
	// idleSpan is one idle window: CPU time comes in 10 ms ticks, so each
	// process's reading is off by up to 10 ms; for the browser's five
	// processes that is up to 0.017 cores over 3 s, 0.008 over 6 s.
	// idleSettle is the wait before it, once the page's loop sleeps (or
	// the baseline stopped), for the page's last refresh to pass.
	idleSpan   = 6 * time.Second
	idleSettle = 2 * time.Second
)

// BenchmarkPage measures the whole frame of the page in headless Chromium
// (WebGL on SwiftShader, the CPU) at 1280x800 while it animates a
// PUSH-PULL cluster that keeps messages in flight (a new version of the
// news starts every second somewhere else), beside a plain Canvas2D page
// (e2e/testdata/canvas2d.html) that draws as many nodes and moving dots at
// the same sizes, measured in turn in the same run:
//
//   - frames per second counted by requestAnimationFrame, and the longest
//     gap between two frames;
//   - CPU per frame of Chromium's GPU process and of its renderers, read
//     from /proc for the processes of the browser the benchmark started;
//   - for gossipscope, the Go time in Draw (the wasm's median), the time
//     from navigation to the first drawn frame with an empty cache, and the
//     cores all of the browser's processes use while the page is paused,
//     by kind of process; beside it the floor, the same for the baseline
//     page with its animation stopped (what any still page in this browser
//     costs, DevTools connection and all).
//
// Each of benchReps rounds measures gossipscope, then the baseline, for
// benchSpan each; the figures are medians. Run it with -benchtime 1x
// (scripts/bench-page.sh prints the table).
func BenchmarkPage(b *testing.B) {
	needBrowser(b)
	// A running server has compressed the page already; do not time that.
	req, _ := http.NewRequest("GET", server.url+"web/gossipscope.wasm", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	base := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(repoRoot, "e2e", "testdata"))))
	defer base.Close()
	sizes := []int{100, 1000, 10000}
	if s := os.Getenv("BENCH_NODES"); s != "" {
		sizes = sizes[:0]
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("BENCH_NODES=%q: %v", s, err)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) { benchPage(b, n, base.URL) })
	}
}

// window is one measured span of a page.
type window struct {
	fps, maxGapMs     float64
	dropped           int     // frames missed: gaps of more than one refresh
	gpuMs, rendererMs float64 // CPU per frame
	drawMs            float64 // gossipscope: Go time in Draw
	packets           int     // gossipscope: dots drawn
	firstFrameMs      float64 // gossipscope
	idle              byKind  // cores, by kind: gossipscope paused, the baseline stopped
	idleFrames        float64 // gossipscope: frames drawn while paused
}

func benchPage(b *testing.B, nodes int, baseURL string) {
	var gs, cv []window
	for rep := 0; rep < benchReps; rep++ {
		g, geo := benchGossipscope(b, nodes, rep == 0)
		gs = append(gs, g)
		cv = append(cv, benchCanvas2D(b, nodes, baseURL, g.packets, geo))
	}
	med := func(ws []window, f func(w window) float64) float64 {
		v := make([]float64, len(ws))
		for i, w := range ws {
			v[i] = f(w)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	total := func(ws []window, f func(w window) int) float64 {
		n := 0
		for _, w := range ws {
			n += f(w)
		}
		return float64(n)
	}
	fps := med(gs, func(w window) float64 { return w.fps })
	cfps := med(cv, func(w window) float64 { return w.fps })
	b.ReportMetric(fps, "fps")
	b.ReportMetric(med(gs, func(w window) float64 { return w.maxGapMs }), "max-gap-ms")
	b.ReportMetric(total(gs, func(w window) int { return w.dropped }), "dropped-frames")
	b.ReportMetric(total(cv, func(w window) int { return w.dropped }), "c2d-dropped-frames")
	b.ReportMetric(med(gs, func(w window) float64 { return w.gpuMs }), "gpu-ms/frame")
	b.ReportMetric(med(gs, func(w window) float64 { return w.rendererMs }), "renderer-ms/frame")
	b.ReportMetric(med(gs, func(w window) float64 { return w.drawMs }), "draw-ms/frame")
	b.ReportMetric(med(gs, func(w window) float64 { return w.firstFrameMs }), "ms-to-first-frame")
	b.ReportMetric(med(gs, func(w window) float64 { return w.idle.total() }), "idle-cores")
	b.ReportMetric(med(cv, func(w window) float64 { return w.idle.total() }), "idle-cores-floor")
	b.ReportMetric(med(gs, func(w window) float64 { return w.idle.browser }), "idle-browser-cores")
	b.ReportMetric(med(gs, func(w window) float64 { return w.idle.gpu }), "idle-gpu-cores")
	b.ReportMetric(med(gs, func(w window) float64 { return w.idle.renderer }), "idle-renderer-cores")
	b.ReportMetric(med(gs, func(w window) float64 { return w.idle.other }), "idle-other-cores")
	b.ReportMetric(med(gs, func(w window) float64 { return w.idleFrames }), "idle-frames")
	b.ReportMetric(cfps, "c2d-fps")
	b.ReportMetric(med(cv, func(w window) float64 { return w.maxGapMs }), "c2d-max-gap-ms")
	b.ReportMetric(med(cv, func(w window) float64 { return w.gpuMs }), "c2d-gpu-ms/frame")
	b.ReportMetric(med(cv, func(w window) float64 { return w.rendererMs }), "c2d-renderer-ms/frame")
	if cfps > 0 {
		b.ReportMetric(fps/cfps, "fps-ratio")
	}
	b.Logf("%d nodes, gossipscope: %+v", nodes, gs)
	b.Logf("%d nodes, canvas2d: %+v", nodes, cv)
}

// benchTab opens a tab at the benchmark's window size; close it with the
// returned function before measuring the next page, so that only one page
// draws at a time.
func benchTab(b testing.TB) (context.Context, func()) {
	needBrowser(b)
	tctx, tcancel := chromedp.NewContext(browserCtx)
	ctx, cancel := context.WithTimeout(tctx, 5*time.Minute)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(benchW, benchH)); err != nil {
		b.Fatalf("opening a tab: %v", err)
	}
	return ctx, func() { chromedp.Cancel(ctx); cancel(); tcancel() }
}

// geometry is where the page drew its nodes and panel and how big, in
// device px (from state().geometry; absent in older pages).
type geometry struct {
	Disc  []float64 `json:"disc"`
	Panel []float64 `json:"panel"`
	NodeR float64   `json:"nodeR"`
	DotR  float64   `json:"dotR"`
}

func benchGossipscope(b *testing.B, nodes int, shots bool) (window, geometry) {
	ctx, done := benchTab(b)
	defer done()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
		return err
	}))
	if err != nil {
		b.Fatalf("clearing the cache: %v", err)
	}
	var w window
	w.firstFrameMs = openBenchScenario(b, ctx, nodes, 15000)
	measureFrames(b, ctx, &w, func() {
		st := state(b, ctx)
		w.drawMs = st.DrawMs
		w.packets = st.Packets
	})
	geo := eval[geometry](b, ctx, `gossipscope.state().geometry || {}`)
	if shots {
		screenshot(b, ctx, fmt.Sprintf("page-bench-%d.png", nodes))
	}
	st := state(b, ctx)
	if st.Error != "" {
		b.Errorf("the page reported: %s", st.Error)
	}
	if st.Nodes != nodes || !st.Playing {
		b.Fatalf("the page was not animating %d nodes: %+v", nodes, st)
	}

	// Paused: what does an idle page cost? (The benchmark's own frame
	// counter stops first: a requestAnimationFrame loop is not free.) Once
	// the wasm's loop sleeps, nothing is asked of the page until the end.
	eval[bool](b, ctx, `(__bench.stop = true)`)
	api(b, ctx, "pause()")
	asleep := `gossipscope.state().asleep ?? true` // older pages: no such field
	for t0 := time.Now(); !eval[bool](b, ctx, asleep) && time.Since(t0) < 30*time.Second; {
		time.Sleep(100 * time.Millisecond)
	}
	if !eval[bool](b, ctx, asleep) {
		b.Logf("%d nodes: the page's loop did not sleep within 30 s of the pause", nodes)
	}
	n0 := eval[float64](b, ctx, `gossipscope.state().frames ?? -1`)
	w.idle = measureIdle(b)
	w.idleFrames = -1 // the page has no frame counter
	if n0 >= 0 {
		w.idleFrames = eval[float64](b, ctx, `gossipscope.state().frames`) - n0
	}
	return w, geo
}

// openBenchScenario opens the benchmark's scenario at nodes, with maxMs of
// virtual time, and plays it in real time from where every node is busy;
// it returns the time from navigation to the first drawn frame, ms.
//
// A new version of the news starts every second somewhere else, so
// messages stay in flight: 15 s of virtual time ends the window near
// t = 9 s; at 10,000 nodes that is about a million events, well inside the
// page's store.
func openBenchScenario(b testing.TB, ctx context.Context, nodes int, maxMs int) (firstFrameMs float64) {
	q := fmt.Sprintf("nodes=%d&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=%d", nodes, maxMs)
	for i := 0; 500+1000*i < maxMs; i++ {
		q += fmt.Sprintf("&do=update@%d:%d", 500+1000*i, (i*7919)%nodes)
	}
	openPage(b, ctx, pageURL(q))
	waitFor(b, ctx, 2*time.Minute, "the first frame", `gossipscopePage.timings.firstFrame > 0`)
	firstFrameMs = eval[float64](b, ctx, `gossipscopePage.timings.firstFrame`)
	api(b, ctx, "pause()")
	api(b, ctx, "seek(4000)")
	api(b, ctx, "setSpeed(1)")
	api(b, ctx, "play()")
	return firstFrameMs
}

// measureIdle waits idleSettle, then reads the cores each kind of the
// browser's processes uses over idleSpan, the tab left alone.
func measureIdle(b testing.TB) byKind {
	time.Sleep(idleSettle)
	c0 := browserCPU(b)
	t0 := time.Now()
	time.Sleep(idleSpan)
	c1 := browserCPU(b)
	ms := time.Since(t0).Seconds() * 1000
	return byKind{(c1.browser - c0.browser) / ms, (c1.gpu - c0.gpu) / ms, (c1.renderer - c0.renderer) / ms, (c1.other - c0.other) / ms}
}

func benchCanvas2D(b *testing.B, nodes int, baseURL string, dots int, g geometry) window {
	ctx, done := benchTab(b)
	defer done()
	v := url.Values{}
	v.Set("nodes", strconv.Itoa(nodes))
	v.Set("dots", strconv.Itoa(max(dots, 1)))
	if g.NodeR > 0 {
		v.Set("r", fmt.Sprint(g.NodeR))
	}
	if g.DotR > 0 {
		v.Set("dot", fmt.Sprint(g.DotR))
	}
	box := func(k string, r []float64) {
		if len(r) == 4 {
			v.Set(k, fmt.Sprintf("%g,%g,%g,%g", r[0], r[1], r[2], r[3]))
		}
	}
	box("disc", g.Disc)
	box("panel", g.Panel)
	if err := chromedp.Do(ctx, chromedp.Navigate(baseURL+"/canvas2d.html?"+v.Encode())); err != nil {
		b.Fatalf("canvas2d page: %v", err)
	}
	waitFor(b, ctx, 30*time.Second, "the baseline to draw", `window.bench && bench.frames > 2`)
	var w window
	measureFrames(b, ctx, &w, nil)
	// The floor: the same page, its animation stopped.
	eval[bool](b, ctx, `(__bench.stop = bench.stop = true)`)
	w.idle = measureIdle(b)
	return w
}

// measureFrames counts requestAnimationFrame callbacks and the longest gap
// between two of them over benchSpan after a second of warm-up (JIT,
// garbage collection, buffers at full size), with the CPU the browser's
// GPU process and renderers used meanwhile. sample, if set, runs once
// mid-window.
func measureFrames(b testing.TB, ctx context.Context, w *window, sample func()) {
	eval[bool](b, ctx, `(() => {
		if (!window.__bench) {
			const s = window.__bench = { frames: 0, last: 0, maxGap: 0, gaps: [], rec: false };
			const f = (now) => {
				if (s.stop) return; // measuring an idle page: no frames of ours
				if (s.last && s.rec) {
					s.maxGap = Math.max(s.maxGap, now - s.last);
					s.gaps.push(now - s.last);
				}
				s.last = now; s.frames++;
				requestAnimationFrame(f);
			};
			requestAnimationFrame(f);
		}
		return true; })()`)
	time.Sleep(time.Second)
	eval[bool](b, ctx, `(__bench.maxGap = 0, __bench.gaps = [], __bench.rec = true)`)
	c0 := browserCPU(b)
	t0 := time.Now()
	time.Sleep(benchSpan / 2)
	if sample != nil {
		sample()
	}
	time.Sleep(benchSpan - time.Since(t0))
	gaps := eval[[]float64](b, ctx, `(__bench.rec = false, __bench.gaps)`)
	c1 := browserCPU(b)
	w.maxGapMs = eval[float64](b, ctx, `__bench.maxGap`)
	w.fps, w.dropped = rateOfGaps(gaps)
	if frames := float64(len(gaps)); frames > 0 {
		w.gpuMs = (c1.gpu - c0.gpu) / frames
		w.rendererMs = (c1.renderer - c0.renderer) / frames
	}
}

// rateOfGaps returns the frames per second of a window from the gaps
// between its animation frames (the browser's own timestamps, free of the
// benchmark's round trips), and how many frames the display would have
// shown in the gaps but did not get: a gap of k refresh periods (the
// median gap) missed k-1.
func rateOfGaps(gaps []float64) (fps float64, dropped int) {
	if len(gaps) == 0 {
		return 0, 0
	}
	sum := 0.0
	for _, g := range gaps {
		sum += g
	}
	period := slices.Clone(gaps)
	slices.Sort(period)
	p := period[len(period)/2]
	for _, g := range gaps {
		if p > 0 {
			dropped += max(0, int(math.Round(g/p))-1)
		}
	}
	return float64(len(gaps)) * 1000 / sum, dropped
}

// byKind is the CPU of the browser's processes by kind: CPU time (user +
// system, ms), or cores.
type byKind struct{ browser, gpu, renderer, other float64 }

func (c byKind) total() float64 { return c.browser + c.gpu + c.renderer + c.other }

// browserCPU reads /proc for the browser the tests started and every
// process under it.
func browserCPU(b testing.TB) byKind {
	c := chromedp.FromContext(browserCtx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		b.Fatal("no browser process to measure")
	}
	root := c.Browser.Process().Pid
	procs, err := readProcs()
	if err != nil {
		b.Fatalf("reading /proc: %v", err)
	}
	children := map[int][]int{}
	for pid, p := range procs {
		children[p.ppid] = append(children[p.ppid], pid)
	}
	hz := 100.0 // USER_HZ on Linux
	var out byKind
	var walk func(pid int)
	walk = func(pid int) {
		p, ok := procs[pid]
		if !ok {
			return
		}
		ms := float64(p.ticks) / hz * 1000
		switch {
		case pid == root:
			out.browser += ms
		case strings.Contains(p.cmdline, "--type=gpu-process"):
			out.gpu += ms
		case strings.Contains(p.cmdline, "--type=renderer"):
			out.renderer += ms
		default:
			out.other += ms
		}
		for _, k := range children[pid] {
			walk(k)
		}
	}
	walk(root)
	return out
}

type procInfo struct {
	ppid    int
	ticks   int64 // utime + stime
	cmdline string
}

func readProcs() (map[int]procInfo, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := map[int]procInfo{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name may hold spaces: fields start after its ')'.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out[pid] = procInfo{ppid: ppid, ticks: ut + st, cmdline: strings.ReplaceAll(string(cmd), "\x00", " ")}
	}
	return out, nil
}

// A window's rate comes from the gaps between animation frames, and a gap
// of k refresh periods misses k-1 frames.
func TestRateOfGapsCountsMissedFrames(t *testing.T) {
	p := 1000.0 / 60
	gaps := []float64{p, p, 2 * p, p, p * 1.02, 3 * p, p * 0.98, p}
	fps, dropped := rateOfGaps(gaps)
	if dropped != 3 {
		t.Errorf("%d frames missed in %v, want 1 + 2", dropped, gaps)
	}
	if want := 8 * 1000 / (11 * p); math.Abs(fps-want) > 0.01 {
		t.Errorf("%.2f fps, want %.2f (8 frames in 11 periods)", fps, want)
	}
	if fps, dropped := rateOfGaps(nil); fps != 0 || dropped != 0 {
		t.Errorf("no frames: %v fps, %d missed", fps, dropped)
	}
}
