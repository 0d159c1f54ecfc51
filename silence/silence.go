package silence

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gogo/protobuf/proto"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
	pb "github.com/prometheus/alertmanager/silence/silencepb"
)

// Silence states, as in Alertmanager's types.SilenceState.
const (
	silenceActive  = "active"
	silencePending = "pending"
	silenceExpired = "expired"
)

// ErrNotFound is returned for a silence ID the store does not hold.
var ErrNotFound = errors.New("not found")

// Silences is the silence state of one peer. Its rules are Alertmanager
// v0.27's silence/silence.go: Set (update in place when the change does not
// rewrite history, else expire and create anew), Expire, and Merge (last
// writer wins by UpdatedAt; what is new is gossiped on unless oversized).
// It is a cluster.State: plug it into a peer with AddState(wire.KeySilences,
// s) and hand the channel's Broadcast to SetBroadcast.
type Silences struct {
	mu        sync.Mutex
	st        map[string]*pb.MeshSilence
	retention time.Duration
	now       func() time.Time
	broadcast func([]byte) // gossips a Part's data
	learned   func(*pb.Silence, Origin)
	held      Versions
}

// Origin says where a version a store now holds came from.
type Origin string

const (
	Local  Origin = "local"  // made on this peer
	Gossip Origin = "gossip" // merged from another peer
)

// Versions is told the version (unix ms) of every state key a store takes
// ("sil/<id>"), and of every key it drops: an index others can read
// without the store's lock (the lab's redundancy check).
type Versions interface {
	Set(key string, version int64)
	Drop(key string)
}

// Options configure a store. The zero value is usable.
type Options struct {
	// Retention is how long a silence is kept after it ends. Default 120 h
	// (Alertmanager's --data.retention).
	Retention time.Duration
	// Learned is called, with the store's lock held, for every version the
	// store takes, made locally or merged from gossip.
	Learned func(*pb.Silence, Origin)
	// Versions, if set, indexes what the store holds.
	Versions Versions
}

// DefaultRetention is Alertmanager's --data.retention.
const DefaultRetention = 120 * time.Hour

// New returns an empty store.
func New(o Options) *Silences {
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	return &Silences{
		st:        map[string]*pb.MeshSilence{},
		retention: o.Retention,
		now:       func() time.Time { return time.Now().UTC() },
		learned:   o.Learned,
		held:      o.Versions,
	}
}

// SetBroadcast sets how the store gossips what it takes (a cluster
// channel's Broadcast), as Alertmanager's Silences.SetBroadcast.
func (s *Silences) SetBroadcast(f func([]byte)) {
	s.mu.Lock()
	s.broadcast = f
	s.mu.Unlock()
}

// Key is a silence's state key in events: "sil/<id>".
func Key(s *pb.Silence) string { return wire.KeySilences + "/" + s.Id }

// Event is a state event: node now holds s (Version its UpdatedAt in
// unix ms, Value its comment), at t ms into the stream.
func Event(s *pb.Silence, node string, t float64) protocol.Event {
	return protocol.Event{Type: protocol.TypeState, T: t, Node: node,
		Key: Key(s), Version: s.UpdatedAt.UnixMilli(), Value: s.Comment}
}

// CalcState is a silence's state at now: "active", "pending" or
// "expired" (Alertmanager's types.CalcSilenceState).
func CalcState(s *pb.Silence, now time.Time) string {
	switch {
	case now.Before(s.StartsAt):
		return silencePending
	case now.After(s.EndsAt):
		return silenceExpired
	}
	return silenceActive
}

// validateSilence is silence.go's validateSilence.
func validateSilence(s *pb.Silence) error {
	if s.Id == "" {
		return errors.New("ID missing")
	}
	if len(s.Matchers) == 0 {
		return errors.New("at least one matcher required")
	}
	allMatchEmpty := true
	for i, m := range s.Matchers {
		if err := ValidateMatcher(m); err != nil {
			return fmt.Errorf("invalid label matcher %d: %w", i, err)
		}
		allMatchEmpty = allMatchEmpty && matchesEmpty(m)
	}
	if allMatchEmpty {
		return errors.New("at least one matcher must not match the empty string")
	}
	if s.StartsAt.IsZero() {
		return errors.New("invalid zero start timestamp")
	}
	if s.EndsAt.IsZero() {
		return errors.New("invalid zero end timestamp")
	}
	if s.EndsAt.Before(s.StartsAt) {
		return errors.New("end time must not be before start time")
	}
	if s.UpdatedAt.IsZero() {
		return errors.New("invalid zero update timestamp")
	}
	return nil
}

// ValidLabelName is Alertmanager v0.27's rule in its default (UTF-8
// fallback) mode: any non-empty UTF-8 string, so "a.b-c", "0bad" and
// "été" are label names.
func ValidLabelName(name string) bool { return name != "" && utf8.ValidString(name) }

// ValidateMatcher checks one matcher as Alertmanager's silence validation:
// a valid label name, a known type, a value or regular expression it
// accepts.
func ValidateMatcher(m *pb.Matcher) error {
	if !ValidLabelName(m.Name) {
		return fmt.Errorf("invalid label name %q", m.Name)
	}
	switch m.Type {
	case pb.Matcher_EQUAL, pb.Matcher_NOT_EQUAL:
		if !utf8.ValidString(m.Pattern) {
			return fmt.Errorf("invalid label value %q", m.Pattern)
		}
	case pb.Matcher_REGEXP, pb.Matcher_NOT_REGEXP:
		if _, err := regexp.Compile(m.Pattern); err != nil {
			return fmt.Errorf("invalid regular expression %q: %s", m.Pattern, err)
		}
	default:
		return fmt.Errorf("unknown matcher type %q", m.Type)
	}
	return nil
}

// matchesEmpty is silence.go's: only = and =~ matchers count, so a
// silence whose matchers are all != or !~ is valid (as in Alertmanager).
func matchesEmpty(m *pb.Matcher) bool {
	switch m.Type {
	case pb.Matcher_EQUAL, pb.Matcher_REGEXP:
		return matcherMatches(m, "")
	}
	return false
}

// matcherMatches applies one matcher to a label value (missing = "").
// Regular expressions are anchored, as Alertmanager's labels.Matcher.
func matcherMatches(m *pb.Matcher, v string) bool {
	switch m.Type {
	case pb.Matcher_EQUAL:
		return v == m.Pattern
	case pb.Matcher_NOT_EQUAL:
		return v != m.Pattern
	case pb.Matcher_REGEXP, pb.Matcher_NOT_REGEXP:
		re, err := regexp.Compile("^(?:" + m.Pattern + ")$")
		if err != nil {
			return false
		}
		return re.MatchString(v) == (m.Type == pb.Matcher_REGEXP)
	}
	return false
}

// Matches says whether every matcher of s matches labels (a missing
// label is "").
func Matches(s *pb.Silence, labels map[string]string) bool {
	for _, m := range s.Matchers {
		if !matcherMatches(m, labels[m.Name]) {
			return false
		}
	}
	return true
}

// Set creates or updates a silence and returns its ID (silence.go's Set).
func (s *Silences) Set(sil *pb.Silence) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	prev, ok := s.st[sil.Id]
	if sil.Id != "" && !ok {
		return "", ErrNotFound
	}
	if ok {
		if canUpdate(prev.Silence, sil, now) {
			return sil.Id, s.set(sil, now, false)
		}
		if CalcState(prev.Silence, now) != silenceExpired {
			if err := s.expire(prev.Silence.Id); err != nil {
				return "", fmt.Errorf("expire previous silence: %w", err)
			}
		}
	}
	sil.Id = newUUID()
	if sil.StartsAt.Before(now) {
		sil.StartsAt = now
	}
	return sil.Id, s.set(sil, now, false)
}

// canUpdate is silence.go's canUpdate: a may become b without changing what
// was silenced in the past.
func canUpdate(a, b *pb.Silence, now time.Time) bool {
	if !proto.Equal(&pb.Silence{Matchers: a.Matchers}, &pb.Silence{Matchers: b.Matchers}) {
		return false
	}
	switch CalcState(a, now) {
	case silenceActive:
		if b.StartsAt.Unix() != a.StartsAt.Unix() || b.EndsAt.Before(now) {
			return false
		}
	case silencePending:
		if b.StartsAt.Before(now) {
			return false
		}
	default:
		return false
	}
	return true
}

func (s *Silences) set(sil *pb.Silence, now time.Time, skipValidate bool) error {
	sil.UpdatedAt = now
	if !skipValidate {
		if err := validateSilence(sil); err != nil {
			return fmt.Errorf("silence invalid: %w", err)
		}
	}
	msil := &pb.MeshSilence{Silence: sil, ExpiresAt: sil.EndsAt.Add(s.retention)}
	b, err := wire.AppendDelimited(nil, msil)
	if err != nil {
		return err
	}
	if s.merge(msil, now) && s.learned != nil {
		s.learned(sil, Local)
	}
	if s.broadcast != nil {
		s.broadcast(b)
	}
	return nil
}

// Expire ends a silence now (silence.go's expire; idempotent).
func (s *Silences) Expire(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expire(id)
}

func (s *Silences) expire(id string) error {
	prev, ok := s.st[id]
	if !ok {
		return ErrNotFound
	}
	sil := *prev.Silence
	now := s.now()
	switch CalcState(&sil, now) {
	case silenceExpired:
		return nil
	case silenceActive:
		sil.EndsAt = now
	case silencePending:
		sil.StartsAt, sil.EndsAt = now, now
	}
	return s.set(&sil, now, true)
}

// merge is silence.go's state.merge.
func (s *Silences) merge(e *pb.MeshSilence, now time.Time) bool {
	if e.Silence == nil || e.ExpiresAt.Before(now) {
		return false
	}
	if len(e.Silence.Comments) > 0 { // old peers: comments list -> comment
		e.Silence.Comment = e.Silence.Comments[0].Comment
		e.Silence.CreatedBy = e.Silence.Comments[0].Author
		e.Silence.Comments = nil
	}
	prev, ok := s.st[e.Silence.Id]
	if !ok || prev.Silence.UpdatedAt.Before(e.Silence.UpdatedAt) {
		s.st[e.Silence.Id] = e
		if s.held != nil {
			s.held.Set(Key(e.Silence), e.Silence.UpdatedAt.UnixMilli())
		}
		return true
	}
	return false
}

// Merge takes gossiped silences (silence.go's Merge). Alertmanager
// re-broadcasts b once per newly merged entry; we send it once, which
// carries the same news.
//
// Most gossip brings what the node holds already (in a lab of 50, each
// silence arrives dozens of times), so each entry's ID and UpdatedAt are
// read first and only entries merge would take are decoded in full; one of
// those that fails to decode rejects the whole message, as in Alertmanager.
func (s *Silences) Merge(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var news []*pb.MeshSilence
	err := wire.ReadDelimited(b, func(m []byte) error {
		if id, updated, _, ok := wire.DescribeSilence(m); ok {
			if prev, held := s.st[string(id)]; held && !prev.Silence.UpdatedAt.Before(updated) {
				return nil // merge would keep prev
			}
		}
		e, err := decodeSilence(m)
		if err != nil {
			return err
		}
		news = append(news, e)
		return nil
	})
	if err != nil {
		return err
	}
	fresh := false
	for _, e := range news {
		if s.merge(e, now) {
			fresh = true
			if s.learned != nil {
				s.learned(e.Silence, Gossip)
			}
		}
	}
	if fresh && !wire.Oversized(b) && s.broadcast != nil {
		s.broadcast(b)
	}
	return nil
}

// MarshalBinary is the node's full silence state for a push-pull.
func (s *Silences) MarshalBinary() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return wire.MarshalAll(s.st)
}

// List returns copies of all silences, newest update first; gc drops those
// past their retention.
func (s *Silences) List() []*pb.Silence {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]*pb.Silence, 0, len(s.st))
	for id, e := range s.st {
		if e.ExpiresAt.Before(now) {
			delete(s.st, id)
			if s.held != nil {
				s.held.Drop(Key(e.Silence))
			}
			continue
		}
		c := *e.Silence
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out
}

// Get returns a copy of one silence.
func (s *Silences) Get(id string) (*pb.Silence, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.st[id]
	if !ok {
		return nil, false
	}
	c := *e.Silence
	return &c, true
}

// Mutes returns the IDs of active silences matching labels.
func (s *Silences) Mutes(labels map[string]string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var ids []string
	for id, e := range s.st {
		if CalcState(e.Silence, now) == silenceActive && Matches(e.Silence, labels) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// decodeSilence reads one MeshSilence as silence.go's decodeState does.
func decodeSilence(m []byte) (*pb.MeshSilence, error) {
	var s pb.MeshSilence
	if err := s.Unmarshal(m); err != nil {
		return nil, err
	}
	if s.Silence == nil {
		return nil, errors.New("invalid state: silence missing")
	}
	return &s, nil
}

// ForAlert is the silence a lab's or the page's silence command makes:
// alerts named alertname, for an hour from now, with alertname as the
// comment so that the page can say what the silence is about.
func ForAlert(alertname string, now time.Time) *pb.Silence {
	return &pb.Silence{
		Matchers:  []*pb.Matcher{{Type: pb.Matcher_EQUAL, Name: "alertname", Pattern: alertname}},
		StartsAt:  now,
		EndsAt:    now.Add(time.Hour),
		CreatedBy: "gossipscope",
		Comment:   alertname,
	}
}
