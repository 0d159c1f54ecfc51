package silence

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	"github.com/gossipscope/gossipscope/wire"
	pb "github.com/prometheus/alertmanager/silence/silencepb"
)

type stateProbe struct {
	sent    [][]byte
	learned []string
}

func newProbedSilences() (*Silences, *stateProbe) {
	p := &stateProbe{}
	s := New(Options{Retention: time.Hour,
		Learned: func(sil *pb.Silence, _ Origin) { p.learned = append(p.learned, sil.Id+"@"+sil.Comment) }})
	s.SetBroadcast(func(b []byte) { p.sent = append(p.sent, b) })
	return s, p
}

// versions is a Versions index.
type versions map[string]int64

func (v versions) Set(key string, version int64) { v[key] = version }
func (v versions) Drop(key string)               { delete(v, key) }
func (v versions) holds(key string, version int64) bool {
	got, ok := v[key]
	return ok && got >= version
}

func meshSilence(id, comment string, updated time.Time) *pb.MeshSilence {
	return &pb.MeshSilence{Silence: &pb.Silence{
		Id: id, Comment: comment, UpdatedAt: updated, StartsAt: updated, EndsAt: updated.Add(time.Hour),
		Matchers: []*pb.Matcher{{Name: "alertname", Pattern: "X"}},
	}, ExpiresAt: updated.Add(2 * time.Hour)}
}

// silence.go's merge: last writer wins by UpdatedAt; only news is gossiped on.
func TestSilencesMergeLastWriterWins(t *testing.T) {
	s, p := newProbedSilences()
	now := time.Now().UTC()
	if err := s.Merge(wiretest.Delimited(t, meshSilence("a", "v2", now))); err != nil {
		t.Fatal(err)
	}
	if err := s.Merge(wiretest.Delimited(t, meshSilence("a", "v1", now.Add(-time.Minute)))); err != nil {
		t.Fatal(err)
	}
	if err := s.Merge(wiretest.Delimited(t, meshSilence("a", "v2", now))); err != nil { // same version again
		t.Fatal(err)
	}
	if got, _ := s.Get("a"); got.Comment != "v2" {
		t.Fatalf("older version replaced newer: %q", got.Comment)
	}
	if len(p.learned) != 1 || len(p.sent) != 1 {
		t.Fatalf("learned %v, sent %d; want one of each (stale and repeated news are not gossiped)", p.learned, len(p.sent))
	}
	if err := s.Merge(wiretest.Delimited(t, meshSilence("a", "v3", now.Add(time.Second)))); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("a"); got.Comment != "v3" || len(p.sent) != 2 {
		t.Fatalf("newer version not taken: %q, sent %d", got.Comment, len(p.sent))
	}
	// Past its retention: dropped. Old peers' comment lists are upgraded.
	old := meshSilence("b", "", now.Add(-3*time.Hour))
	up := meshSilence("c", "", now)
	up.Silence.Comments = []*pb.Comment{{Author: "ops", Comment: "from 0.14"}}
	if err := s.Merge(wiretest.Delimited(t, old, up)); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("b"); ok {
		t.Fatal("merged a silence past its retention")
	}
	if c, _ := s.Get("c"); c.Comment != "from 0.14" || c.CreatedBy != "ops" || len(c.Comments) != 0 {
		t.Fatalf("comments not upgraded: %+v", c)
	}
	// Oversized parts are not relayed (they went to every member already).
	sent := len(p.sent)
	big := meshSilence("d", strings.Repeat("x", wire.MaxGossipPacket), now)
	if err := s.Merge(wiretest.Delimited(t, big)); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("d"); !ok || len(p.sent) != sent {
		t.Fatalf("oversized: held %v, relayed %d", ok, len(p.sent)-sent)
	}
	// Garbage is an error, not a panic, and changes nothing.
	for _, bad := range [][]byte{{0xff}, {5, 1, 2}, wiretest.Delimited(t, &pb.MeshSilence{})} {
		if err := s.Merge(bad); err == nil {
			t.Errorf("merge of %x succeeded", bad)
		}
	}
	if n := len(s.List()); n != 3 {
		t.Fatalf("%d silences after bad merges, want 3", n)
	}
	// News next to a held entry is taken (and indexed); news next to an
	// entry that fails to decode is not.
	held := versions{}
	s.held = held
	learned := len(p.learned)
	fNow := now.Add(2 * time.Second)
	if err := s.Merge(wiretest.Delimited(t, meshSilence("a", "v3", now.Add(time.Second)), meshSilence("f", "new", fNow))); err != nil {
		t.Fatal(err)
	}
	if got := p.learned[learned:]; len(got) != 1 || got[0] != "f@new" || !held.holds("sil/f", fNow.UnixMilli()) {
		t.Fatalf("learned %v, indexed %v; want f only", got, held.holds("sil/f", fNow.UnixMilli()))
	}
	bad := append(wiretest.Delimited(t, meshSilence("g", "new", now)), 4, 0x0a, 0x02, 0xff, 0xff)
	if err := s.Merge(bad); err == nil {
		t.Fatal("a message with an undecodable new entry was merged")
	}
	if _, ok := s.Get("g"); ok {
		t.Fatal("an entry next to an undecodable one was merged")
	}
}

// silence.go's Set and Expire.
func TestSilencesSetUpdateExpire(t *testing.T) {
	s, p := newProbedSilences()
	now := time.Now().UTC()
	sil := ForAlert("Disk", now.Add(-time.Minute)) // starts in the past
	id, err := s.Set(sil)
	if err != nil || id == "" {
		t.Fatalf("set: %q %v", id, err)
	}
	got, _ := s.Get(id)
	if got.StartsAt.Before(now) {
		t.Fatalf("start %v not moved to now", got.StartsAt)
	}
	// Same matchers, later end: updated in place.
	upd := *got
	upd.EndsAt = upd.EndsAt.Add(time.Hour)
	upd.Comment = "longer"
	if id2, err := s.Set(&upd); err != nil || id2 != id {
		t.Fatalf("in-place update: %q %v", id2, err)
	}
	// Different matchers: the old one is expired and a new one created.
	chg, _ := s.Get(id)
	chg.Matchers = []*pb.Matcher{{Name: "alertname", Pattern: "Other"}}
	id3, err := s.Set(chg)
	if err != nil || id3 == id {
		t.Fatalf("matcher change: %q %v", id3, err)
	}
	if old, _ := s.Get(id); CalcState(old, time.Now()) != silenceExpired {
		t.Fatalf("replaced silence not expired: %+v", old)
	}
	if err := s.Expire(id3); err != nil {
		t.Fatal(err)
	}
	if err := s.Expire(id3); err != nil {
		t.Fatalf("expire is idempotent: %v", err)
	}
	if err := s.Expire("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expire unknown: %v", err)
	}
	if _, err := s.Set(&pb.Silence{Id: "nope"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update unknown: %v", err)
	}
	for _, bad := range []*pb.Silence{
		{StartsAt: now, EndsAt: now.Add(time.Hour)}, // no matchers
		{StartsAt: now, EndsAt: now.Add(time.Hour), Matchers: []*pb.Matcher{{Name: "a", Pattern: ""}}},
		{StartsAt: now, EndsAt: now.Add(time.Hour), Matchers: []*pb.Matcher{{Name: "a", Pattern: "(", Type: pb.Matcher_REGEXP}}},
		{StartsAt: now, EndsAt: now.Add(time.Hour), Matchers: []*pb.Matcher{{Name: "", Pattern: "x"}}},
	} {
		if _, err := s.Set(bad); err == nil {
			t.Errorf("invalid silence %+v accepted", bad)
		}
	}
	if len(p.learned) != len(p.sent) {
		t.Fatalf("every local change is both held and gossiped: learned %d, sent %d", len(p.learned), len(p.sent))
	}
}

func TestMatchers(t *testing.T) {
	for _, tc := range []struct {
		m    pb.Matcher
		v    string
		want bool
	}{
		{pb.Matcher{Type: pb.Matcher_EQUAL, Pattern: "x"}, "x", true},
		{pb.Matcher{Type: pb.Matcher_NOT_EQUAL, Pattern: "x"}, "x", false},
		{pb.Matcher{Type: pb.Matcher_REGEXP, Pattern: "db.*"}, "db1", true},
		{pb.Matcher{Type: pb.Matcher_REGEXP, Pattern: "db"}, "db1", false}, // anchored
		{pb.Matcher{Type: pb.Matcher_NOT_REGEXP, Pattern: "db.*"}, "web", true},
	} {
		if got := matcherMatches(&tc.m, tc.v); got != tc.want {
			t.Errorf("%v on %q = %v", tc.m, tc.v, got)
		}
	}
}
