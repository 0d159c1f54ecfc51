package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	"github.com/gossipscope/gossipscope/node"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// sample is the value of the family's first series (a histogram's count).
func sample(mfs map[string]*dto.MetricFamily, name string) float64 {
	mf := mfs[name]
	if mf == nil || len(mf.GetMetric()) == 0 {
		return -1
	}
	m := mf.GetMetric()[0]
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

func getOK(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
}

// A lab server's /metrics counts its websocket client and the events sent
// to it (and how late), its probes answer, and every metric the shipped
// Grafana dashboard queries is served by the server or by a lab node.
func TestServeMetricsProbesAndDashboard(t *testing.T) {
	var out syncBuffer
	lab := labOptions{nodes: 3, randomPorts: true, fast: true}
	s := startTestServer(t, serveOptions{listen: "127.0.0.1:0", source: lab.source(&out)})
	getOK(t, s.URL()+"/-/healthy")
	getOK(t, s.URL()+"/-/ready")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lc.until(ctx, "a message between nodes", func(ev protocol.Event) bool { return ev.Type == protocol.TypeMsg })
	var mfs map[string]*dto.MetricFamily
	waitFor(t, 10*time.Second, "the events sent counted", func() bool {
		mfs = testnet.Scrape(t, s.URL())
		return sample(mfs, "gossipscope_ws_events_sent_total") > 0 && sample(mfs, "gossipscope_ws_client_lag_seconds") > 0
	})
	if v := sample(mfs, "gossipscope_ws_clients"); v != 1 {
		t.Errorf("gossipscope_ws_clients %v, want 1", v)
	}
	if sample(mfs, "gossipscope_events_total") < sample(mfs, "gossipscope_ws_events_sent_total")/2 || sample(mfs, "gossipscope_events_total") <= 0 {
		t.Errorf("gossipscope_events_total %v", sample(mfs, "gossipscope_events_total"))
	}
	for _, name := range []string{"gossipscope_events_dropped_total", "gossipscope_build_info", "go_goroutines", "process_resident_memory_bytes"} {
		if sample(mfs, name) < 0 {
			t.Errorf("no %s", name)
		}
	}

	// The dashboard's queries name metrics the server and nodes serve.
	apis := regexp.MustCompile(`api (http://\S+)`).FindStringSubmatch(out.String())
	if apis == nil {
		t.Fatalf("no node API address in %q", out.String())
	}
	served := map[string]bool{}
	for _, fams := range []map[string]*dto.MetricFamily{mfs, testnet.Scrape(t, apis[1])} {
		for name, mf := range fams {
			served[name] = true
			if mf.GetType() == dto.MetricType_HISTOGRAM {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					served[name+suffix] = true
				}
			}
		}
	}
	served["gossipscope_observed_silence_propagation_seconds_bucket"] = true // observe's: TestObserveMetrics
	for _, name := range dashboardMetrics(t) {
		if !served[name] {
			t.Errorf("dashboards/gossipscope.json queries %s, which nothing serves", name)
		}
	}
}

// dashboardMetrics returns the metric names the shipped dashboard's
// queries use.
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../dashboards/gossipscope.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	names := regexp.MustCompile(`\b(?:alertmanager|gossipscope|process|go)_[a-z0-9_]+`)
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, names.FindAllString(tg.Expr, -1)...)
		}
	}
	if len(out) < 10 {
		t.Fatalf("dashboard queries only %v", out)
	}
	return out
}

// observe's /metrics has, per node, how long after a silence was made the
// node was seen holding it: here against two lab nodes, which serve the
// v2 API and /metrics as Alertmanager does.
func TestObserveMetrics(t *testing.T) {
	tmpl := node.FastConfig()
	lab, err := node.NewLab(node.LabConfig{Nodes: 2, RandomPorts: true, Template: &tmpl})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	api1, api2 := lab.Node("n1").APIURL(), lab.Node("n2").APIURL()
	ob := observeOptions{urls: []string{api1, api2}, interval: 100 * time.Millisecond, timeout: time.Second, maxBackoff: time.Second}
	prop := newPropagationHistogram()
	ob.propagated = func(node string, d time.Duration) { prop.WithLabelValues(node).Observe(d.Seconds()) }
	s := startTestServer(t, serveOptions{listen: "127.0.0.1:0", source: ob.source(io.Discard), metrics: []prometheus.Collector{prop}})
	getOK(t, s.URL()+"/-/ready")
	// The observer reads the lab nodes' /metrics as an Alertmanager's (it
	// found none there once, and said "unreachable" every poll).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lc.until(ctx, "a node's metrics measured", func(ev protocol.Event) bool {
		if ev.Type == protocol.TypeNote && ev.Params["reachable"] == false {
			t.Fatalf("observer: %s", ev.Text)
		}
		return ev.Type == protocol.TypeNote && ev.Params["metrics"] != nil
	})

	body := fmt.Sprintf(`{"matchers":[{"name":"alertname","value":"X","isRegex":false}],"startsAt":%q,"endsAt":%q,"createdBy":"test","comment":"watched"}`,
		time.Now().UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	resp, err := http.Post(api1+"/api/v2/silences", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, 10*time.Second, "both nodes' propagation observed", func() bool {
		mf := testnet.Scrape(t, s.URL())["gossipscope_observed_silence_propagation_seconds"]
		seen := map[string]bool{}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "node" && m.GetHistogram().GetSampleCount() == 1 && m.GetHistogram().GetSampleSum() < 5 {
					seen[lp.GetValue()] = true
				}
			}
		}
		return seen["am1"] && seen["am2"]
	})
}
