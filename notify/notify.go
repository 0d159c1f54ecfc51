package notify

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"

	"github.com/cespare/xxhash/v2"
)

// Alert is one alert as posted to the API (Alertmanager's types.Alert).
type Alert struct {
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time
	UpdatedAt    time.Time
	GeneratorURL string
}

// Resolved says whether the alert has ended by now.
func (a *Alert) Resolved(now time.Time) bool { return !a.EndsAt.IsZero() && !a.EndsAt.After(now) }

// labelsBytes is "name\xffvalue\xff" over sorted names: the input of
// Prometheus' LabelSet fingerprint (FNV-1a) and of notify's hashAlert.
func labelsBytes(ls map[string]string) []byte {
	names := make([]string, 0, len(ls))
	for k := range ls {
		names = append(names, k)
	}
	sort.Strings(names)
	var b []byte
	for _, k := range names {
		b = append(b, k...)
		b = append(b, 0xff)
		b = append(b, ls[k]...)
		b = append(b, 0xff)
	}
	return b
}

// Fingerprint is Prometheus' model.LabelSet.Fingerprint (FNV-1a 64), the
// alert's ID in the API and the webhook.
func Fingerprint(ls map[string]string) uint64 {
	if len(ls) == 0 {
		return 0xcbf29ce484222325 // FNV offset basis, as model.emptyLabelSignature
	}
	h := fnv.New64a()
	_, _ = h.Write(labelsBytes(ls))
	return h.Sum64()
}

// labelSetString is model.LabelSet.String: {a="1", b="2"}.
func labelSetString(ls map[string]string) string {
	names := make([]string, 0, len(ls))
	for k := range ls {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + "=" + strconv.Quote(ls[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// hashAlert is Alertmanager's notify.hashAlert (unexported there): XXH64 of
// the sorted labels. Matching it lets our nodes and real Alertmanagers
// deduplicate each other's notifications.
func hashAlert(labels map[string]string) uint64 { return xxhash.Sum64(labelsBytes(labels)) }

// Dispatcher groups alerts by the route's group_by labels and runs
// Alertmanager's notification pipeline per group (notify/notify.go):
// group_wait, mute by silences, wait position x peer_timeout, dedup
// against the gossiped notification log, send, log the notification. It
// needs no socket: the peer's position, the silences, the log and the
// sender are what Config gives it.
type Dispatcher struct {
	cfg    Config
	mu     sync.Mutex
	alerts map[uint64]*Alert
	groups map[string]*aggrGroup
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type aggrGroup struct {
	key    string            // route key ":" group labels, as dispatch.aggrGroup.GroupKey
	labels map[string]string // the group-by labels
	fps    map[uint64]bool   // alerts in the group
}

// New returns a dispatcher; Stop ends its groups.
func New(cfg Config) *Dispatcher {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher{
		cfg:    cfg,
		alerts: map[uint64]*Alert{},
		groups: map[string]*aggrGroup{},
		ctx:    ctx, cancel: cancel,
	}
}

// Stop ends every group's pipeline and waits for them.
func (d *Dispatcher) Stop() {
	d.mu.Lock() // put adds to wg under mu only while ctx is live
	d.cancel()
	d.mu.Unlock()
	d.wg.Wait()
}

// Put stores alerts and starts a group's pipeline for each new group.
// Re-posting an alert refreshes it, keeping its first StartsAt, as the
// alert provider's merge does for overlapping alerts.
func (d *Dispatcher) Put(as []*Alert) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx.Err() != nil {
		return
	}
	for _, a := range as {
		fp := Fingerprint(a.Labels)
		a.UpdatedAt = now
		if a.Annotations == nil { // JSON {} rather than null, as Alertmanager's
			a.Annotations = map[string]string{}
		}
		if old, ok := d.alerts[fp]; ok && !old.Resolved(now) && old.StartsAt.Before(a.StartsAt) {
			a.StartsAt = old.StartsAt
		}
		d.alerts[fp] = a
		gl := map[string]string{}
		for _, l := range d.cfg.GroupBy {
			if v, ok := a.Labels[l]; ok {
				gl[l] = v
			}
		}
		key := "{}:" + labelSetString(gl)
		g, ok := d.groups[key]
		if !ok {
			g = &aggrGroup{key: key, labels: gl, fps: map[uint64]bool{}}
			d.groups[key] = g
			d.wg.Add(1)
			go d.run(g)
		}
		g.fps[fp] = true
	}
}

// List returns the alerts not resolved for longer than the resolve timeout.
func (d *Dispatcher) List() []*Alert {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]*Alert, 0, len(d.alerts))
	for fp, a := range d.alerts {
		if a.Resolved(now) && now.Sub(a.EndsAt) > d.cfg.ResolveTimeout {
			delete(d.alerts, fp)
			continue
		}
		c := *a
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return Fingerprint(out[i].Labels) < Fingerprint(out[j].Labels) })
	return out
}

func (d *Dispatcher) sleep(t time.Duration) bool {
	tm := time.NewTimer(t)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-d.ctx.Done():
		return false
	}
}

// run is one aggregation group: flush after group_wait, then every
// group_interval while it has alerts.
func (d *Dispatcher) run(g *aggrGroup) {
	defer d.wg.Done()
	wait := d.cfg.GroupWait
	for d.sleep(wait) {
		wait = d.cfg.GroupInterval
		firing, resolved, empty := d.snapshot(g)
		if len(firing)+len(resolved) > 0 {
			d.notify(g, firing, resolved)
		}
		if empty {
			return
		}
	}
}

// snapshot returns the group's firing and resolved alerts and drops the
// resolved ones from the group; empty says the group is done.
func (d *Dispatcher) snapshot(g *aggrGroup) (firing, resolved []*Alert, empty bool) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for fp := range g.fps {
		a, ok := d.alerts[fp]
		if !ok {
			delete(g.fps, fp)
			continue
		}
		c := *a
		if a.Resolved(now) {
			resolved = append(resolved, &c)
			delete(g.fps, fp)
		} else {
			firing = append(firing, &c)
		}
	}
	if len(g.fps) == 0 {
		delete(d.groups, g.key)
		empty = true
	}
	return firing, resolved, empty
}

func (d *Dispatcher) receiver() *nflogpb.Receiver {
	return &nflogpb.Receiver{GroupName: d.cfg.Receiver, Integration: "webhook", Idx: 0}
}

func (d *Dispatcher) note(g *aggrGroup, format string, args ...any) {
	c := &d.cfg
	if c.Emit != nil {
		c.Emit(protocol.Event{Type: protocol.TypeNote, T: c.t(), Node: c.Name, Key: g.key,
			Text: c.Name + ": " + fmt.Sprintf(format, args...)})
	}
	c.Logger.Info(fmt.Sprintf(format, args...), "group", g.key)
}

// notify is Alertmanager's notification pipeline for one flush.
func (d *Dispatcher) notify(g *aggrGroup, firing, resolved []*Alert) {
	c := &d.cfg
	// MuteStage: silenced alerts are not notified.
	kept := firing[:0]
	for _, a := range firing {
		if len(c.Silences.Mutes(a.Labels)) == 0 {
			kept = append(kept, a)
		}
	}
	firing = kept
	if len(firing) == 0 && len(resolved) == 0 {
		return
	}
	// WaitStage: position x peer timeout, so that the first peer can notify
	// and gossip its nflog entry before the others look.
	if pos := c.Position(); pos > 0 {
		if !d.sleep(time.Duration(pos) * c.PeerTimeout) {
			return
		}
	}
	// DedupStage.
	var fset, rset = map[uint64]struct{}{}, map[uint64]struct{}{}
	var fh, rh []uint64
	for _, a := range firing {
		h := hashAlert(a.Labels)
		fset[h] = struct{}{}
		fh = append(fh, h)
	}
	for _, a := range resolved {
		h := hashAlert(a.Labels)
		rset[h] = struct{}{}
		rh = append(rh, h)
	}
	entry, err := c.Log.Query(g.key, d.receiver())
	if err != nil {
		entry = nil
	}
	if !d.needsUpdate(entry, fset) {
		d.note(g, "skipped notification: the notification log already has it")
		return
	}
	if len(firing) == 0 { // only resolved alerts, and send_resolved is off
		_ = c.Log.Log(d.receiver(), g.key, fh, rh, 2*c.RepeatInterval)
		return
	}
	// When the log was read matters to whoever explains a duplicate: the
	// webhook's own time (its note below) can come after the entry arrived.
	d.note(g, "the notification log lacks it: sending")
	// RetryStage: until it works or the group interval is over.
	if c.Sender != nil {
		if !d.send(g, firing) {
			return
		}
	} else {
		d.note(g, "notified (no webhook configured)")
	}
	// SetNotifiesStage.
	if err := c.Log.Log(d.receiver(), g.key, fh, rh, 2*c.RepeatInterval); err != nil {
		c.Logger.Warn("log notification", "err", err)
	}
}

// needsUpdate is notify.DedupStage's needsUpdate with send_resolved off.
func (d *Dispatcher) needsUpdate(entry *nflogpb.Entry, firing map[uint64]struct{}) bool {
	if entry == nil {
		return len(firing) > 0
	}
	if !entry.IsFiringSubset(firing) {
		return true
	}
	if len(firing) == 0 {
		return len(entry.FiringAlerts) > 0
	}
	return entry.Timestamp.Before(time.Now().Add(-d.cfg.RepeatInterval))
}

// send hands the group's notification to the sender, retrying with
// backoff until the group interval is over (RetryStage). It reports success.
func (d *Dispatcher) send(g *aggrGroup, firing []*Alert) bool {
	c := &d.cfg
	msg := d.message(g, firing)
	ctx, cancel := context.WithTimeout(d.ctx, c.GroupInterval)
	defer cancel()
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		status, err := c.Sender.Send(ctx, msg)
		if err == nil {
			d.note(g, "sent webhook (attempt %d): %s", attempt, status)
			return true
		}
		d.note(g, "webhook attempt %d failed: %v", attempt, err)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return false
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// WebhookAlert is one alert in a webhook message.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Message is Alertmanager's webhook payload (version 4) for one group.
type Message struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []WebhookAlert    `json:"alerts"`
}

// message is the webhook payload for a group's firing alerts.
func (d *Dispatcher) message(g *aggrGroup, firing []*Alert) *Message {
	m := &Message{
		Version: "4", GroupKey: g.key, Status: "firing", Receiver: d.cfg.Receiver,
		GroupLabels: g.labels, ExternalURL: d.cfg.ExternalURL,
		CommonLabels:      common(firing, func(a *Alert) map[string]string { return a.Labels }),
		CommonAnnotations: common(firing, func(a *Alert) map[string]string { return a.Annotations }),
	}
	for _, a := range firing {
		m.Alerts = append(m.Alerts, WebhookAlert{
			Status: "firing", Labels: a.Labels, Annotations: a.Annotations,
			// Firing alerts carry a zero endsAt, as Alertmanager's webhook.
			StartsAt: a.StartsAt, GeneratorURL: a.GeneratorURL,
			Fingerprint: fmt.Sprintf("%016x", Fingerprint(a.Labels)),
		})
	}
	return m
}

func common(as []*Alert, f func(*Alert) map[string]string) map[string]string {
	out := map[string]string{}
	if len(as) == 0 {
		return out
	}
	for k, v := range f(as[0]) {
		out[k] = v
	}
	for _, a := range as[1:] {
		m := f(a)
		for k, v := range out {
			if m[k] != v {
				delete(out, k)
			}
		}
	}
	return out
}
