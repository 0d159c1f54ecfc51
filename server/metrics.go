package server

import (
	"net/http"
	"time"

	"github.com/gossipscope/gossipscope/internal/buildinfo"
	"github.com/gossipscope/gossipscope/live"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serverMetrics are the /metrics of serve, lab, observe and replay: the
// stream's own (websocket clients, events in, sent and dropped, how late
// clients get them), the build, and the Go process. The lab's nodes serve
// Alertmanager's cluster metrics on their own API ports (node/metrics.go).
type serverMetrics struct {
	reg     *prometheus.Registry
	sent    prometheus.Counter
	lag     prometheus.Histogram
	handler http.Handler
}

func newServerMetrics(extra []prometheus.Collector) *serverMetrics {
	m := &serverMetrics{reg: prometheus.NewRegistry()}
	m.sent = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "gossipscope_ws_events_sent_total",
		Help: "Events written to websocket clients (each client counts).",
	})
	m.lag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "gossipscope_ws_client_lag_seconds",
		Help:    "Time from the hub's flush of a batch of events to the end of its write to a websocket client.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	})
	bi := buildinfo.Get()
	m.reg.MustRegister(m.sent, m.lag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "gossipscope_build_info",
			Help:        "A metric with a constant '1' value labeled by the version, revision and Go version gossipscope was built from.",
			ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Revision, "goversion": bi.GoVersion},
		}, func() float64 { return 1 }))
	m.reg.MustRegister(extra...)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// clientWrote is the hub's live.Config.ClientWrote.
func (m *serverMetrics) clientWrote(events int, lag time.Duration) {
	m.sent.Add(float64(events))
	m.lag.Observe(lag.Seconds())
}

// watchHub exports the hub's counters, read when scraped.
func (m *serverMetrics) watchHub(h *live.Hub) {
	stat := func(f func(live.Stats) float64) func() float64 { return func() float64 { return f(h.Stats()) } }
	counter := func(name, help string, f func(live.Stats) float64) {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, stat(f)))
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gossipscope_ws_clients", Help: "Websocket clients (pages) connected now.",
	}, stat(func(s live.Stats) float64 { return float64(s.Clients) })))
	counter("gossipscope_events_total", "Events the live source emitted into the hub.", func(s live.Stats) float64 { return float64(s.Events) })
	counter("gossipscope_events_dropped_total", "Events some client or the recording missed (too slow), plus those the hub dropped.", func(s live.Stats) float64 { return float64(s.Dropped) })
	counter("gossipscope_ws_messages_total", "Websocket messages written.", func(s live.Stats) float64 { return float64(s.Messages) })
	counter("gossipscope_ws_bytes_total", "Bytes written to websocket clients.", func(s live.Stats) float64 { return float64(s.Bytes) })
	counter("gossipscope_commands_total", "Commands received from pages.", func(s live.Stats) float64 { return float64(s.Commands) })
	counter("gossipscope_command_errors_total", "Commands answered with an error.", func(s live.Stats) float64 { return float64(s.CommandErrors) })
	counter("gossipscope_ws_disconnected_total", "Websocket clients cut off for being too slow.", func(s live.Stats) float64 { return float64(s.Disconnected) })
}

// newPropagationHistogram is observe's histogram of how long after a
// silence was made (its updatedAt) each Alertmanager was first seen
// holding it, by node alias: the figure an operator wants from a real
// cluster. Its resolution is the poll interval.
func newPropagationHistogram() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "gossipscope_observed_silence_propagation_seconds",
		Help:    "Delay from a silence's updatedAt to the poll that first saw it on a node (to within the poll interval).",
		Buckets: []float64{.1, .25, .5, 1, 1.5, 2, 3, 5, 10, 30, 60},
	}, []string{"node"})
}
