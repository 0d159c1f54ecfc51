package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// startupSteps are the page's start-up marks (docs/architecture.md, "The
// first frame comes first"), in the order they happen.
var startupSteps = []string{"gs:compiled", "gs:instantiated", "gs:main", "gs:ready", "gs:drawn", "gs:first-frame", "gs:shown"}

// BenchmarkStartup loads the page startupLoads times, each in a fresh tab
// with an empty cache at the benchmark's 1280x800, on BenchmarkPage's
// scenario (BENCH_NODES nodes, 1,000 by default), and reports the median
// time from navigation to each start-up mark (ms-to-main, ms-to-shown ...)
// and to the end of the wasm's download; it logs every load, step by step,
// so that what varies shows. Run it with -benchtime 1x.
//
// To compare two builds, set STARTUP_BASELINE to a gossipscope binary built
// from the other commit (it embeds its page): a second server runs it, the
// loads alternate between the two (A B B A ...), and the baseline's medians
// are reported beside (base-ms-to-shown ...), measured under the same load.
func BenchmarkStartup(b *testing.B) {
	needBrowser(b)
	nodes := 1000
	if s := os.Getenv("BENCH_NODES"); s != "" {
		n, err := strconv.Atoi(strings.Split(s, ",")[0])
		if err != nil {
			b.Fatalf("BENCH_NODES=%q: %v", s, err)
		}
		nodes = n
	}
	q := fmt.Sprintf("nodes=%d&fanout=3&mode=pushpull&stop=never&latency=100,400&seed=1&maxtime=15000", nodes)
	pages := []struct{ name, prefix, url string }{{"this build", "", pageURL(q)}}
	if bin := os.Getenv("STARTUP_BASELINE"); bin != "" {
		base, err := startServer(bin)
		if err != nil {
			b.Fatalf("STARTUP_BASELINE=%s: %v", bin, err)
		}
		defer base.stop()
		pages = append(pages, struct{ name, prefix, url string }{"baseline", "base-", base.url + "?" + q})
	}
	loads := startupLoads
	if s := os.Getenv("STARTUP_LOADS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("STARTUP_LOADS=%q: want a number of loads", s)
		}
		loads = n
	}
	times := map[string][]float64{}
	for i := 0; i < loads*len(pages); i++ {
		// A B B A: neither build always loads first after the other.
		p := pages[(i+i/2)%len(pages)]
		at := startupLoad(b, p.url)
		var line strings.Builder
		for _, step := range append([]string{"wasm-request", "wasm-first-byte", "wasm"}, startupSteps...) {
			key := p.prefix + strings.TrimPrefix(step, "gs:")
			times[key] = append(times[key], at[step])
			fmt.Fprintf(&line, " %s=%.0f", strings.TrimPrefix(step, "gs:"), at[step])
		}
		b.Logf("load %d (%s):%s", i, p.name, line.String())
	}
	for key, v := range times {
		slices.Sort(v)
		b.ReportMetric(v[len(v)/2], strings.Replace("ms-to-"+key, "ms-to-base-", "base-ms-to-", 1))
	}
}

// startupLoads is how many loads BenchmarkStartup makes of each build
// (STARTUP_LOADS sets another count): enough for a median, few enough to
// keep the run under a minute.
const startupLoads = 7

// startupLoad opens url in a fresh tab with an empty cache and returns the
// time from navigation to each start-up mark and to the end of the wasm's
// download ("wasm"; "wasm-request" when its request was sent,
// "wasm-first-byte" when its response began), once the first frame is on
// screen.
func startupLoad(b *testing.B, url string) map[string]float64 {
	ctx, done := benchTab(b)
	defer done()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.ClearBrowserCache, cdp.Empty{})
		return err
	}))
	if err != nil {
		b.Fatalf("clearing the cache: %v", err)
	}
	openPage(b, ctx, url)
	waitFor(b, ctx, time.Minute, "the first frame on screen", `performance.getEntriesByName("gs:shown").length > 0`)
	at := eval[map[string]float64](b, ctx, `(() => {
		const at = Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]));
		const w = performance.getEntriesByName(new URL("web/gossipscope.wasm", location.href).href)[0];
		at.wasm = w ? w.responseEnd : 0;
		at["wasm-request"] = w ? w.requestStart : 0;
		at["wasm-first-byte"] = w ? w.responseStart : 0;
		return at; })()`)
	for _, step := range startupSteps {
		if _, ok := at[step]; !ok {
			b.Fatalf("the page set no %s mark: %v", step, at)
		}
	}
	return at
}
