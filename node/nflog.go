package node

import (
	"errors"
	"fmt"
	"sync"
	"time"

	pb "github.com/prometheus/alertmanager/nflog/nflogpb"
)

// nflog is one node's notification log, with Alertmanager v0.27's rules
// (nflog/nflog.go): entries keyed by group key and receiver, last writer
// wins by Timestamp, new entries gossiped on unless oversized.
type nflog struct {
	mu        sync.Mutex
	st        map[string]*pb.MeshEntry
	retention time.Duration
	now       func() time.Time
	broadcast func([]byte)
	learned   func(*pb.Entry, string)
	held      *heldVersions // optional index of what st holds
}

func newNflog(retention time.Duration, broadcast func([]byte), learned func(*pb.Entry, string)) *nflog {
	return &nflog{
		st:        map[string]*pb.MeshEntry{},
		retention: retention,
		now:       func() time.Time { return time.Now().UTC() },
		broadcast: broadcast,
		learned:   learned,
	}
}

// receiverKey and stateKey are nflog.go's.
func receiverKey(r *pb.Receiver) string {
	return fmt.Sprintf("%s/%s/%d", r.GroupName, r.Integration, r.Idx)
}

func stateKey(gkey string, r *pb.Receiver) string {
	return fmt.Sprintf("%s:%s", gkey, receiverKey(r))
}

func entryKey(e *pb.Entry) string {
	if e.Receiver == nil {
		return "nfl/" + string(e.GroupKey)
	}
	return "nfl/" + stateKey(string(e.GroupKey), e.Receiver)
}

// Log records a notification (nflog.go's Log).
func (l *nflog) Log(r *pb.Receiver, gkey string, firing, resolved []uint64, expiry time.Duration) error {
	now := l.now()
	key := stateKey(gkey, r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, ok := l.st[key]; ok && prev.Entry.Timestamp.After(now) {
		return nil
	}
	expiresAt := now.Add(l.retention)
	if expiry > 0 && l.retention > expiry {
		expiresAt = now.Add(expiry)
	}
	e := &pb.MeshEntry{
		Entry: &pb.Entry{
			Receiver:       r,
			GroupKey:       []byte(gkey),
			Timestamp:      now,
			FiringAlerts:   firing,
			ResolvedAlerts: resolved,
		},
		ExpiresAt: expiresAt,
	}
	b, err := appendDelimited(nil, e)
	if err != nil {
		return err
	}
	if l.merge(e, now) && l.learned != nil {
		l.learned(e.Entry, "local")
	}
	if l.broadcast != nil {
		l.broadcast(b)
	}
	return nil
}

func (l *nflog) merge(e *pb.MeshEntry, now time.Time) bool {
	if e.Entry == nil || e.Entry.Receiver == nil || e.ExpiresAt.Before(now) {
		return false
	}
	k := stateKey(string(e.Entry.GroupKey), e.Entry.Receiver)
	prev, ok := l.st[k]
	if !ok || prev.Entry.Timestamp.Before(e.Entry.Timestamp) {
		l.st[k] = e
		l.held.set("nfl/"+k, e.Entry.Timestamp.UnixMilli())
		return true
	}
	return false
}

// Merge takes gossiped entries (nflog.go's Merge).
func (l *nflog) Merge(b []byte) error {
	ents, err := decodeEntries(b)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fresh := false
	for _, e := range ents {
		if l.merge(e, now) {
			fresh = true
			if l.learned != nil {
				l.learned(e.Entry, "gossip")
			}
		}
	}
	if fresh && !oversized(b) && l.broadcast != nil {
		l.broadcast(b)
	}
	return nil
}

// Query returns the entry for a group and receiver, or errNotFound.
func (l *nflog) Query(gkey string, r *pb.Receiver) (*pb.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.st[stateKey(gkey, r)]
	if !ok {
		return nil, errNotFound
	}
	return e.Entry, nil
}

// Entries returns all entries not past retention.
func (l *nflog) Entries() []*pb.Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	out := make([]*pb.Entry, 0, len(l.st))
	for k, e := range l.st {
		if e.ExpiresAt.Before(now) {
			delete(l.st, k)
			l.held.drop("nfl/" + k)
			continue
		}
		out = append(out, e.Entry)
	}
	return out
}

// MarshalBinary is the node's full notification log for a push-pull.
func (l *nflog) MarshalBinary() ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return marshalState(l.st)
}

func decodeEntries(b []byte) ([]*pb.MeshEntry, error) {
	var out []*pb.MeshEntry
	err := readDelimited(b, func(m []byte) error {
		var e pb.MeshEntry
		if err := e.Unmarshal(m); err != nil {
			return err
		}
		if e.Entry == nil {
			return errors.New("invalid state: entry missing")
		}
		out = append(out, &e)
		return nil
	})
	return out, err
}
