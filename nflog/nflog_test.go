package nflog

import (
	"errors"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/wiretest"
	nflogpb "github.com/prometheus/alertmanager/nflog/nflogpb"
)

// nflog.go's Log and Merge: last writer wins by Timestamp.
func TestNflogMerge(t *testing.T) {
	var sent int
	var learned []string
	l := New(Options{Retention: time.Hour, Learned: func(e *nflogpb.Entry, _ Origin) { learned = append(learned, Key(e)) }})
	l.SetBroadcast(func([]byte) { sent++ })
	r := &nflogpb.Receiver{GroupName: "hook", Integration: "webhook"}
	if err := l.Log(r, `{}:{alertname="A"}`, []uint64{1}, nil, 0); err != nil {
		t.Fatal(err)
	}
	e, err := l.Query(`{}:{alertname="A"}`, r)
	if err != nil || !e.IsFiringSubset(map[uint64]struct{}{1: {}}) {
		t.Fatalf("query: %+v %v", e, err)
	}
	older := &nflogpb.MeshEntry{Entry: &nflogpb.Entry{GroupKey: []byte(`{}:{alertname="A"}`), Receiver: r,
		Timestamp: e.Timestamp.Add(-time.Second), FiringAlerts: []uint64{2}}, ExpiresAt: time.Now().Add(time.Hour)}
	if err := l.Merge(wiretest.Delimited(t, older)); err != nil {
		t.Fatal(err)
	}
	if e, _ := l.Query(`{}:{alertname="A"}`, r); e.FiringAlerts[0] != 1 {
		t.Fatal("older entry replaced newer")
	}
	newer := *older
	newer.Entry = &nflogpb.Entry{GroupKey: older.Entry.GroupKey, Receiver: r, Timestamp: e.Timestamp.Add(time.Second), FiringAlerts: []uint64{3}}
	if err := l.Merge(wiretest.Delimited(t, &newer)); err != nil {
		t.Fatal(err)
	}
	if e, _ := l.Query(`{}:{alertname="A"}`, r); e.FiringAlerts[0] != 3 {
		t.Fatal("newer entry not taken")
	}
	want := `nfl/{}:{alertname="A"}:hook/webhook/0`
	if len(learned) != 2 || learned[0] != want || sent != 2 {
		t.Fatalf("learned %v sent %d; want 2 x %s", learned, sent, want)
	}
	if _, err := l.Query("other", r); !errors.Is(err, ErrNotFound) {
		t.Fatalf("query unknown: %v", err)
	}
}
