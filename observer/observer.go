package observer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// Source is the header's source name of an observed Alertmanager cluster.
const Source = protocol.SourceAlertmanager

// ErrReadOnly is the answer to every command: the observer never changes
// the cluster it watches.
var ErrReadOnly = fmt.Errorf("observer is read-only: it watches a real Alertmanager cluster and changes nothing; use Alertmanager's own API or amtool")

// Observer watches a real Alertmanager cluster and turns what it measures
// into protocol events. It is a live.Source. Create it with New; Close
// stops it (and leaves the cluster in join mode).
type Observer struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client
	sem    chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	names   *names
	targets []*target
	status  map[string]protocol.Status     // alias -> last status emitted
	held    map[string]map[string]heldItem // alias -> state key -> what it holds
	member  *member                        // join mode; nil when passive
	closed  bool

	closeOnce sync.Once
	closeErr  error
}

// heldItem is the version of one state key a node was last seen holding.
type heldItem struct {
	version int64
	value   string
}

// New starts observing: it asks every Alertmanager for its status once
// (so the first aliases follow the peers' order), joins the cluster when
// cfg.Join is set, and polls in the background until Close. An
// Alertmanager that does not answer is no error (it is reported and
// retried); a join that fails is.
func New(cfg Config) (*Observer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	o := &Observer{
		cfg:    cfg,
		log:    cfg.Logger,
		client: newGetOnlyClient(cfg.Transport, cfg.Timeout),
		sem:    make(chan struct{}, cfg.MaxConcurrent),
		names:  newNames(),
		status: map[string]protocol.Status{},
		held:   map[string]map[string]heldItem{},
	}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	for _, u := range cfg.URLs {
		o.targets = append(o.targets, &target{url: u})
	}
	o.discover()
	if cfg.Join != "" {
		m, err := o.join()
		if err != nil {
			o.cancel()
			o.client.CloseIdleConnections()
			return nil, err
		}
		o.mu.Lock()
		o.member = m
		o.mu.Unlock()
	}
	for _, tg := range o.targets {
		o.wg.Add(1)
		go o.pollLoop(tg)
	}
	return o, nil
}

// t is the stream time now: ms since cfg.Start.
func (o *Observer) t() float64 {
	return float64(time.Since(o.cfg.Start).Microseconds()) / 1000
}

// emitLocked stamps ev with the time and emits it. The caller holds o.mu,
// so events leave in the order the observer's state changed.
func (o *Observer) emitLocked(ev protocol.Event) {
	ev.T = o.t()
	o.cfg.Emit(ev)
}

func (o *Observer) noteLocked(node, text string, params map[string]any) {
	o.emitLocked(protocol.Event{Type: protocol.TypeNote, Node: node, Text: text, Params: params})
}

// setStatusLocked emits a node event when alias's status changes.
func (o *Observer) setStatusLocked(alias string, st protocol.Status) {
	if alias == "" || o.status[alias] == st {
		return
	}
	o.status[alias] = st
	o.emitLocked(protocol.Event{Type: protocol.TypeNode, Node: alias, Status: st})
}

// Header describes the observation: source "alertmanager", the mode, the
// URLs, the aliases ("names") and the peer name behind each alias.
func (o *Observer) Header() protocol.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	mode := "passive"
	if o.cfg.Join != "" {
		mode = "join"
	}
	urls := map[string]any{}
	for _, tg := range o.targets {
		if tg.alias != "" {
			urls[tg.alias] = tg.url
		}
	}
	p := map[string]any{
		"mode":        mode,
		"read_only":   true,
		"urls":        slices.Clone(o.cfg.URLs),
		"names":       o.names.list(),
		"nodes":       len(o.names.order),
		"peer_names":  o.names.table(),
		"api_urls":    urls,
		"interval_ms": o.cfg.Interval.Milliseconds(),
		"timeout_ms":  o.cfg.Timeout.Milliseconds(),
	}
	if m := o.member; m != nil {
		p["join"] = o.cfg.Join
		p["observer_name"] = m.name
		p["gossip_addr"] = m.addr
	}
	return protocol.Header(Source, p)
}

// Snapshot returns every node's last status and the state each was last
// seen holding, and a note for each Alertmanager not answering now, at
// the current t.
func (o *Observer) Snapshot() []protocol.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.t()
	var out []protocol.Event
	for _, a := range o.names.order {
		if st, ok := o.status[a]; ok {
			out = append(out, protocol.Event{Type: protocol.TypeNode, T: now, Node: a, Status: st})
		}
	}
	for _, a := range o.names.order {
		keys := make([]string, 0, len(o.held[a]))
		for k := range o.held[a] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h := o.held[a][k]
			out = append(out, protocol.Event{Type: protocol.TypeState, T: now, Node: a, Key: k, Version: h.version, Value: h.value})
		}
	}
	for _, tg := range o.targets {
		if !tg.reachable && tg.lastErr != nil {
			ev := o.unreachableNote(tg)
			ev.T = now
			out = append(out, ev)
		}
	}
	return out
}

// Command refuses every command: the observer changes nothing.
func (o *Observer) Command(c protocol.Command) error {
	if c.Cmd == "" {
		return ErrReadOnly
	}
	return fmt.Errorf("%s: %w", c.Cmd, ErrReadOnly)
}

// Names returns the aliases given so far.
func (o *Observer) Names() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.names.list()
}

// PeerName returns the Alertmanager peer name behind alias.
func (o *Observer) PeerName(alias string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.names.name[alias]
}

// MemberName returns the observer's own member name in join mode ("" when
// passive).
func (o *Observer) MemberName() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.member == nil {
		return ""
	}
	return o.member.name
}

// Close stops polling and, in join mode, leaves the cluster (waiting at
// most LeaveTimeout for the leave message to go out) and shuts the member
// down. It is safe to call more than once.
func (o *Observer) Close() error {
	o.closeOnce.Do(func() {
		o.cancel()
		o.wg.Wait()
		o.mu.Lock()
		o.closed = true
		m := o.member
		o.mu.Unlock()
		if m != nil {
			o.closeErr = m.leave(o.cfg.LeaveTimeout)
		}
		o.client.CloseIdleConnections()
	})
	return o.closeErr
}
