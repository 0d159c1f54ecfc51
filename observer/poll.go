package observer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// target is one polled Alertmanager. Its fields are guarded by the
// observer's lock; only its poller changes them.
type target struct {
	url       string
	name      string // its peer name, once its status answered
	alias     string
	reachable bool // its last poll succeeded
	answered  bool // some poll ever succeeded
	failures  int  // polls failed in a row
	lastErr   error
	view      map[string]bool
	cluster   string // "ready", "settling", "disabled"
	metrics   *scrape
}

// getOnly refuses every request but GET: nothing the observer sends can
// change the cluster, whatever a bug upstream asks for.
type getOnly struct{ next http.RoundTripper }

func (g getOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("observer: refusing %s %s: the observer only reads", r.Method, r.URL)
	}
	return g.next.RoundTrip(r)
}

func newGetOnlyClient(rt http.RoundTripper, timeout time.Duration) *http.Client {
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 2
		rt = t
	}
	return &http.Client{Transport: getOnly{rt}, Timeout: timeout}
}

// get fetches base+path with GET and hands the body (at most
// MaxResponseBytes) to read. At most MaxConcurrent requests run at once.
func (o *Observer) get(ctx context.Context, base, path string, read func(io.Reader) error) error {
	select {
	case o.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-o.sem }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "gossipscope-observer")
	resp, err := o.client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("GET %s: HTTP %s", path, resp.Status)
	}
	body := io.LimitReader(resp.Body, o.cfg.MaxResponseBytes)
	if err := read(body); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// unwrapURLError drops url.Error's repetition of method and URL.
func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && strings.HasPrefix(err.Error(), "Get ") {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// amStatus is what the observer reads of GET /api/v2/status.
type amStatus struct {
	Cluster struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Peers  []struct {
			Name    string `json:"name"`
			Address string `json:"address"`
		} `json:"peers"`
	} `json:"cluster"`
}

// amSilence is what the observer reads of one GET /api/v2/silences entry.
type amSilence struct {
	ID        string    `json:"id"`
	UpdatedAt time.Time `json:"updatedAt"`
	Comment   string    `json:"comment"`
}

func decodeJSON(v any) func(io.Reader) error {
	return func(r io.Reader) error { return json.NewDecoder(r).Decode(v) }
}

func (o *Observer) fetchStatus(ctx context.Context, tg *target) (*amStatus, error) {
	var st amStatus
	if err := o.get(ctx, tg.url, "/api/v2/status", decodeJSON(&st)); err != nil {
		return nil, err
	}
	if st.Cluster.Name == "" {
		return nil, errors.New("GET /api/v2/status: no cluster name (is this an Alertmanager v0.2x?)")
	}
	return &st, nil
}

// discover asks every Alertmanager for its status at once, so that the
// first aliases are given in the peers' byte order (= HA position order).
func (o *Observer) discover() {
	sts := make([]*amStatus, len(o.targets))
	errs := make([]error, len(o.targets))
	var wg sync.WaitGroup
	for i, tg := range o.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sts[i], errs[i] = o.fetchStatus(o.ctx, tg)
		}()
	}
	wg.Wait()
	o.mu.Lock()
	defer o.mu.Unlock()
	var all []string
	for _, st := range sts {
		if st != nil {
			all = append(all, st.Cluster.Name)
			for _, p := range st.Cluster.Peers {
				all = append(all, p.Name)
			}
		}
	}
	o.names.add(all...)
	for i, tg := range o.targets {
		if errs[i] != nil {
			o.failedLocked(tg, errs[i])
		} else {
			o.applyStatusLocked(tg, sts[i])
		}
	}
	o.membershipLocked()
}

// pollLoop polls tg every Interval (start to start), or after a growing
// backoff while it does not answer, until the observer closes.
func (o *Observer) pollLoop(tg *target) {
	defer o.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-o.ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		err := o.pollOnce(tg)
		if o.ctx.Err() != nil {
			return
		}
		wait := o.cfg.Interval - time.Since(start)
		o.mu.Lock()
		if err != nil {
			o.failedLocked(tg, err)
			wait = o.backoff(tg.failures)
		}
		o.membershipLocked()
		o.mu.Unlock()
		timer.Reset(max(wait, 0))
	}
}

// backoff is the wait after the n-th failure in a row: Interval doubled
// n-1 times, at most MaxBackoff.
func (o *Observer) backoff(n int) time.Duration {
	d := o.cfg.Interval
	for i := 1; i < n && d < o.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.cfg.MaxBackoff)
}

// pollOnce reads tg's status, silences and metrics, applying each as it
// arrives.
func (o *Observer) pollOnce(tg *target) error {
	st, err := o.fetchStatus(o.ctx, tg)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.applyStatusLocked(tg, st)
	o.mu.Unlock()

	var sils []amSilence
	if err := o.get(o.ctx, tg.url, "/api/v2/silences", decodeJSON(&sils)); err != nil {
		return err
	}
	o.mu.Lock()
	o.applySilencesLocked(tg, sils)
	o.mu.Unlock()

	var sc *scrape
	if err := o.get(o.ctx, tg.url, "/metrics", func(r io.Reader) (err error) {
		sc, err = parseMetrics(r)
		return err
	}); err != nil {
		return err
	}
	sc.at = time.Now()
	o.mu.Lock()
	o.applyMetricsLocked(tg, sc)
	o.mu.Unlock()
	return nil
}

// failedLocked records a failed poll: a note when tg stops answering.
func (o *Observer) failedLocked(tg *target, err error) {
	tg.failures++
	tg.lastErr = err
	if !tg.reachable && tg.failures > 1 {
		return
	}
	tg.reachable = false
	o.emitLocked(o.unreachableNote(tg))
}

// unreachableNote says that tg does not answer, and why.
func (o *Observer) unreachableNote(tg *target) protocol.Event {
	who := tg.url
	if tg.alias != "" {
		who += " (" + tg.alias + ")"
	}
	return protocol.Event{Type: protocol.TypeNote, Node: tg.alias,
		Text:   fmt.Sprintf("%s: unreachable: %v; retrying, backing off up to %s", who, tg.lastErr, o.cfg.MaxBackoff),
		Params: map[string]any{"url": tg.url, "error": tg.lastErr.Error(), "reachable": false}}
}

// applyStatusLocked takes tg's status: its name, alias and view of the
// peers.
func (o *Observer) applyStatusLocked(tg *target, st *amStatus) {
	if !tg.reachable && tg.failures > 0 {
		o.noteLocked(tg.alias, fmt.Sprintf("%s: answering, after %d failed polls", tg.url, tg.failures),
			map[string]any{"url": tg.url, "reachable": true})
	}
	tg.reachable, tg.answered, tg.failures = true, true, 0
	peers := make([]string, 0, len(st.Cluster.Peers))
	for _, p := range st.Cluster.Peers {
		peers = append(peers, p.Name)
	}
	for _, a := range o.names.add(append(peers, st.Cluster.Name)...) {
		o.noteLocked(a, fmt.Sprintf("%s is Alertmanager peer %s", a, o.names.name[a]),
			map[string]any{"alias": a, "peer_name": o.names.name[a]})
	}
	if tg.name != st.Cluster.Name {
		alias := o.names.of(st.Cluster.Name)
		if tg.name != "" {
			o.noteLocked(alias, fmt.Sprintf("%s now answers as %s (was %s): it restarted with a new peer name", tg.url, alias, tg.alias),
				map[string]any{"url": tg.url})
		}
		tg.name, tg.alias, tg.metrics = st.Cluster.Name, alias, nil
	}
	if tg.cluster != st.Cluster.Status {
		if tg.cluster != "" || st.Cluster.Status != "ready" {
			o.noteLocked(tg.alias, fmt.Sprintf("%s: cluster %s", tg.alias, st.Cluster.Status),
				map[string]any{"cluster_status": st.Cluster.Status})
		}
		tg.cluster = st.Cluster.Status
	}
	tg.view = make(map[string]bool, len(peers))
	for _, p := range peers {
		tg.view[p] = true
	}
}

// applySilencesLocked emits a state event for each silence tg holds at a
// version not seen on it before: sil/<id> at UpdatedAt in unix ms, the
// same keys and versions as node/'s events.
func (o *Observer) applySilencesLocked(tg *target, sils []amSilence) {
	if tg.alias == "" {
		return
	}
	h := o.held[tg.alias]
	if h == nil {
		h = map[string]heldItem{}
		o.held[tg.alias] = h
	}
	for _, s := range sils {
		if s.ID == "" {
			continue
		}
		key, it := "sil/"+s.ID, heldItem{version: s.UpdatedAt.UnixMilli(), value: s.Comment}
		if h[key] == it {
			continue
		}
		h[key] = it
		if o.cfg.Propagated != nil && !s.UpdatedAt.Before(o.cfg.Start) {
			o.cfg.Propagated(tg.alias, max(0, time.Since(s.UpdatedAt)))
		}
		o.emitLocked(protocol.Event{Type: protocol.TypeState, Node: tg.alias, Key: key, Version: it.version, Value: it.value})
	}
}

// membershipLocked derives node events from the polled views in passive
// mode: a peer is alive while some answering Alertmanager lists it among
// its members, dead once none does. While nobody answers, nothing is
// known and nothing changes. In join mode memberlist's own view decides.
func (o *Observer) membershipLocked() {
	if o.member != nil || o.cfg.Join != "" {
		return
	}
	answering := false
	listed := map[string]bool{}
	for _, tg := range o.targets {
		if !tg.reachable {
			continue
		}
		answering = true
		for p := range tg.view {
			listed[p] = true
		}
	}
	if !answering {
		return
	}
	for _, a := range o.names.order {
		name := o.names.name[a]
		if listed[name] {
			o.setStatusLocked(a, protocol.StatusAlive)
		} else if _, seen := o.status[a]; seen && o.status[a] != protocol.StatusDead {
			o.setStatusLocked(a, protocol.StatusDead)
			o.noteLocked(a, fmt.Sprintf("%s is in no answering Alertmanager's member list any more", a), nil)
		}
	}
}
