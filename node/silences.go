package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gogo/protobuf/proto"
	"github.com/gossipscope/gossipscope/wire"
	pb "github.com/prometheus/alertmanager/silence/silencepb"
)

// oversized is Alertmanager's cluster.OversizedMessage: a Part over half
// the gossip packet budget is sent to every member over TCP and not
// relayed by receivers.
func oversized(b []byte) bool { return len(b) > wire.MaxGossipPacket/2 }

// Silence states, as in Alertmanager's types.SilenceState.
const (
	silenceActive  = "active"
	silencePending = "pending"
	silenceExpired = "expired"
)

var errNotFound = errors.New("not found")

// silences is the silence state of one node. Its rules are Alertmanager
// v0.27's silence/silence.go: Set (update in place when the change does not
// rewrite history, else expire and create anew), Expire, and Merge (last
// writer wins by UpdatedAt; what is new is gossiped on unless oversized).
type silences struct {
	mu        sync.Mutex
	st        map[string]*pb.MeshSilence
	retention time.Duration
	now       func() time.Time
	broadcast func([]byte)              // gossips a Part's data
	learned   func(*pb.Silence, string) // a new version is held; origin "local" or "gossip"
	held      *heldVersions             // optional index of what st holds
}

func newSilences(retention time.Duration, broadcast func([]byte), learned func(*pb.Silence, string)) *silences {
	return &silences{
		st:        map[string]*pb.MeshSilence{},
		retention: retention,
		now:       func() time.Time { return time.Now().UTC() },
		broadcast: broadcast,
		learned:   learned,
	}
}

func silenceKey(s *pb.Silence) string { return "sil/" + s.Id }

func silenceState(s *pb.Silence, now time.Time) string {
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
		if err := validateMatcher(m); err != nil {
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

// validLabelName is Alertmanager v0.27's rule in its default (UTF-8
// fallback) mode: any non-empty UTF-8 string, so "a.b-c", "0bad" and
// "été" are label names.
func validLabelName(name string) bool { return name != "" && utf8.ValidString(name) }

func validateMatcher(m *pb.Matcher) error {
	if !validLabelName(m.Name) {
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

func silenceMatches(s *pb.Silence, labels map[string]string) bool {
	for _, m := range s.Matchers {
		if !matcherMatches(m, labels[m.Name]) {
			return false
		}
	}
	return true
}

// Set creates or updates a silence and returns its ID (silence.go's Set).
func (s *silences) Set(sil *pb.Silence) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	prev, ok := s.st[sil.Id]
	if sil.Id != "" && !ok {
		return "", errNotFound
	}
	if ok {
		if canUpdate(prev.Silence, sil, now) {
			return sil.Id, s.set(sil, now, false)
		}
		if silenceState(prev.Silence, now) != silenceExpired {
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
	switch silenceState(a, now) {
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

func (s *silences) set(sil *pb.Silence, now time.Time, skipValidate bool) error {
	sil.UpdatedAt = now
	if !skipValidate {
		if err := validateSilence(sil); err != nil {
			return fmt.Errorf("silence invalid: %w", err)
		}
	}
	msil := &pb.MeshSilence{Silence: sil, ExpiresAt: sil.EndsAt.Add(s.retention)}
	b, err := appendDelimited(nil, msil)
	if err != nil {
		return err
	}
	if s.merge(msil, now) && s.learned != nil {
		s.learned(sil, "local")
	}
	if s.broadcast != nil {
		s.broadcast(b)
	}
	return nil
}

// Expire ends a silence now (silence.go's expire; idempotent).
func (s *silences) Expire(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expire(id)
}

func (s *silences) expire(id string) error {
	prev, ok := s.st[id]
	if !ok {
		return errNotFound
	}
	sil := *prev.Silence
	now := s.now()
	switch silenceState(&sil, now) {
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
func (s *silences) merge(e *pb.MeshSilence, now time.Time) bool {
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
		s.held.set(silenceKey(e.Silence), e.Silence.UpdatedAt.UnixMilli())
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
func (s *silences) Merge(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var news []*pb.MeshSilence
	err := readDelimited(b, func(m []byte) error {
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
				s.learned(e.Silence, "gossip")
			}
		}
	}
	if fresh && !oversized(b) && s.broadcast != nil {
		s.broadcast(b)
	}
	return nil
}

// MarshalBinary is the node's full silence state for a push-pull.
func (s *silences) MarshalBinary() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return marshalState(s.st)
}

// List returns copies of all silences, newest update first; gc drops those
// past their retention.
func (s *silences) List() []*pb.Silence {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]*pb.Silence, 0, len(s.st))
	for id, e := range s.st {
		if e.ExpiresAt.Before(now) {
			delete(s.st, id)
			s.held.drop(silenceKey(e.Silence))
			continue
		}
		c := *e.Silence
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out
}

// Get returns a copy of one silence.
func (s *silences) Get(id string) (*pb.Silence, bool) {
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
func (s *silences) Mutes(labels map[string]string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var ids []string
	for id, e := range s.st {
		if silenceState(e.Silence, now) == silenceActive && silenceMatches(e.Silence, labels) {
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

// marshaler is what gogo-generated messages offer.
type marshaler interface {
	Size() int
	MarshalTo([]byte) (int, error)
}

// appendDelimited appends m with a varint length prefix, as pbutil.WriteDelimited.
func appendDelimited(b []byte, m marshaler) ([]byte, error) {
	n := m.Size()
	b = binary.AppendUvarint(b, uint64(n))
	start := len(b)
	b = append(b, make([]byte, n)...)
	if _, err := m.MarshalTo(b[start:]); err != nil {
		return nil, err
	}
	return b, nil
}

// marshalState is a store's full state as Alertmanager's MarshalBinary
// writes it: every entry, length-delimited, in no particular order.
func marshalState[M marshaler](st map[string]M) ([]byte, error) {
	var b []byte
	var err error
	for _, e := range st {
		if b, err = appendDelimited(b, e); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// readDelimited calls f for each varint-length-delimited message in b.
func readDelimited(b []byte, f func([]byte) error) error {
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return errors.New("truncated or invalid length-delimited message")
		}
		if err := f(b[k : k+int(n)]); err != nil {
			return err
		}
		b = b[k+int(n):]
	}
	return nil
}

type silencepbSilence = pb.Silence

// newMatcherSilence returns an hour-long silence of alerts named name,
// with name as its comment.
func newMatcherSilence(name string, now time.Time) *pb.Silence {
	return &pb.Silence{
		Matchers:  []*pb.Matcher{{Type: pb.Matcher_EQUAL, Name: "alertname", Pattern: name}},
		StartsAt:  now,
		EndsAt:    now.Add(time.Hour),
		CreatedBy: "gossipscope",
		Comment:   name,
	}
}

func labelValueOK(s string) bool { return utf8.ValidString(s) }
