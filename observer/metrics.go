package observer

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// figure is one number the observer reads from an Alertmanager's /metrics:
// the sum of metric's samples whose label has value (every sample when
// label is ""). Counters are reported as increases between two scrapes,
// gauges as values when they change.
type figure struct {
	key     string
	metric  string
	label   string
	value   string
	counter bool
}

// figures are the cluster's own measurements of its gossip
// (docs/gossip-rules.md, "Measured against real Alertmanagers").
var figures = []figure{
	{"received_update", "alertmanager_cluster_messages_received_total", "msg_type", "update", true},
	{"received_update_bytes", "alertmanager_cluster_messages_received_size_total", "msg_type", "update", true},
	{"received_full_state", "alertmanager_cluster_messages_received_total", "msg_type", "full_state", true},
	{"received_full_state_bytes", "alertmanager_cluster_messages_received_size_total", "msg_type", "full_state", true},
	{"sent_update", "alertmanager_cluster_messages_sent_total", "msg_type", "update", true},
	{"sent_update_bytes", "alertmanager_cluster_messages_sent_size_total", "msg_type", "update", true},
	{"sent_full_state", "alertmanager_cluster_messages_sent_total", "msg_type", "full_state", true},
	{"sent_full_state_bytes", "alertmanager_cluster_messages_sent_size_total", "msg_type", "full_state", true},
	{"pruned", "alertmanager_cluster_messages_pruned_total", "", "", true},
	{"sil_propagated", "alertmanager_silences_gossip_messages_propagated_total", "", "", true},
	{"nfl_propagated", "alertmanager_nflog_gossip_messages_propagated_total", "", "", true},
	{"oversized_sent", "alertmanager_oversized_gossip_message_sent_total", "", "", true},
	{"oversized_dropped", "alertmanager_oversized_gossip_message_dropped_total", "", "", true},
	{"peers_joined", "alertmanager_cluster_peers_joined_total", "", "", true},
	{"peers_left", "alertmanager_cluster_peers_left_total", "", "", true},
	{"reconnections", "alertmanager_cluster_reconnections_total", "", "", true},
	{"reconnections_failed", "alertmanager_cluster_reconnections_failed_total", "", "", true},
	{"notifications", "alertmanager_notifications_total", "", "", true},
	{"notifications_failed", "alertmanager_notifications_failed_total", "", "", true},
	{"members", "alertmanager_cluster_members", "", "", false},
	{"position", "alertmanager_peer_position", "", "", false},
	{"failed_peers", "alertmanager_cluster_failed_peers", "", "", false},
	{"health_score", "alertmanager_cluster_health_score", "", "", false},
	{"queued", "alertmanager_cluster_messages_queued", "", "", false},
}

// wantedMetric is the set of metric names figures read.
var wantedMetric = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range figures {
		m[f.metric] = true
	}
	return m
}()

// scrape is one reading of the figures.
type scrape struct {
	at  time.Time
	val map[string]float64 // figure key -> value; absent if not exposed
}

// maxMetricLine bounds one line of the exposition format.
const maxMetricLine = 1 << 20

// parseMetrics reads Prometheus' text exposition format and keeps the
// figures. Lines it cannot read are skipped: a scrape is a best effort,
// not a reason to stop.
func parseMetrics(r io.Reader) (*scrape, error) {
	sc := &scrape{val: map[string]float64{}}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), maxMetricLine)
	lines := 0
	for s.Scan() {
		lines++
		line := strings.TrimSpace(s.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, labels, value, ok := parseSample(line)
		if !ok || !wantedMetric[name] {
			continue
		}
		for _, f := range figures {
			if f.metric == name && (f.label == "" || labels[f.label] == f.value) {
				sc.val[f.key] += value
			}
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("reading metrics: %v", err)
	}
	if lines == 0 {
		return nil, fmt.Errorf("empty metrics")
	}
	return sc, nil
}

// parseSample splits `name{a="x",b="y"} value [timestamp]`.
func parseSample(line string) (name string, labels map[string]string, value float64, ok bool) {
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return "", nil, 0, false
	}
	name, rest := line[:i], line[i:]
	if rest[0] == '{' {
		labels = map[string]string{}
		rest = rest[1:]
		for {
			rest = strings.TrimLeft(rest, " \t,")
			if rest == "" {
				return "", nil, 0, false
			}
			if rest[0] == '}' {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq <= 0 || len(rest) < eq+2 || rest[eq+1] != '"' {
				return "", nil, 0, false
			}
			key := strings.TrimSpace(rest[:eq])
			val, n, good := unquote(rest[eq+2:])
			if !good {
				return "", nil, 0, false
			}
			labels[key] = val
			rest = rest[eq+2+n:]
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return "", nil, 0, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return "", nil, 0, false
	}
	return name, labels, v, true
}

// unquote reads a label value up to its closing quote (the exposition
// format escapes \\, \" and \n) and returns it and the bytes consumed.
func unquote(s string) (string, int, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, true
		case '\\':
			if i+1 >= len(s) {
				return "", 0, false
			}
			i++
			if s[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

// applyMetricsLocked reports what changed since tg's last scrape as one
// note event: counters' increases ("delta") and gauges' new values
// ("value"), with the seconds between the scrapes. The first scrape
// reports every gauge. A counter that went down (the Alertmanager
// restarted) counts from zero.
func (o *Observer) applyMetricsLocked(tg *target, sc *scrape) {
	if tg.alias == "" {
		return
	}
	prev := tg.metrics
	tg.metrics = sc
	delta, value := map[string]any{}, map[string]any{}
	var parts []string
	for _, f := range figures {
		v, ok := sc.val[f.key]
		if !ok || math.IsNaN(v) {
			continue
		}
		if f.counter {
			if prev == nil {
				continue
			}
			d := v - prev.val[f.key]
			if d < 0 {
				d = v
			}
			if d > 0 {
				delta[f.key] = d
				parts = append(parts, fmt.Sprintf("%s +%s", f.key, num(d)))
			}
			continue
		}
		if pv, had := prev.value(f.key); !had || pv != v {
			value[f.key] = v
			if had {
				parts = append(parts, fmt.Sprintf("%s %s→%s", f.key, num(pv), num(v)))
			} else {
				parts = append(parts, fmt.Sprintf("%s %s", f.key, num(v)))
			}
		}
	}
	if len(parts) == 0 {
		return
	}
	p := map[string]any{"metrics": tg.url + "/metrics"}
	if len(delta) > 0 {
		p["delta"] = delta
	}
	if len(value) > 0 {
		p["value"] = value
	}
	text := tg.alias + " measured: " + strings.Join(parts, ", ")
	if prev != nil {
		secs := math.Round(sc.at.Sub(prev.at).Seconds()*1000) / 1000
		p["seconds"] = secs
		text += fmt.Sprintf(" (in %ss)", num(secs))
	}
	o.noteLocked(tg.alias, text, p)
}

func (s *scrape) value(key string) (float64, bool) {
	if s == nil {
		return 0, false
	}
	v, ok := s.val[key]
	return v, ok
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
