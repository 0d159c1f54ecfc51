package nflog

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/wire"
	pb "github.com/prometheus/alertmanager/nflog/nflogpb"
)

// Log is one peer's notification log, with Alertmanager v0.27's rules
// (nflog/nflog.go): entries keyed by group key and receiver, last writer
// wins by Timestamp, new entries gossiped on unless oversized. It is a
// cluster.State: plug it into a peer with AddState(wire.KeyNflog, l) and
// hand the channel's Broadcast to SetBroadcast.
type Log struct {
	mu        sync.Mutex
	st        map[string]*pb.MeshEntry
	retention time.Duration
	now       func() time.Time
	broadcast func([]byte)
	learned   func(*pb.Entry, Origin)
	held      Versions
}

// Origin says where an entry the log now holds came from.
type Origin string

const (
	Local  Origin = "local"  // logged on this peer
	Gossip Origin = "gossip" // merged from another peer
)

// Versions is told the version (unix ms) of every state key the log takes
// ("nfl/<entry key>"), and of every key it drops.
type Versions interface {
	Set(key string, version int64)
	Drop(key string)
}

// Options configure a log. The zero value is usable.
type Options struct {
	// Retention bounds how long an entry is kept. Default 120 h
	// (Alertmanager's --data.retention).
	Retention time.Duration
	// Learned is called, with the log's lock held, for every entry it
	// takes, logged locally or merged from gossip.
	Learned func(*pb.Entry, Origin)
	// Versions, if set, indexes what the log holds.
	Versions Versions
}

// DefaultRetention is Alertmanager's --data.retention.
const DefaultRetention = 120 * time.Hour

// ErrNotFound is returned by Query for a group and receiver never logged.
var ErrNotFound = errors.New("not found")

// New returns an empty log.
func New(o Options) *Log {
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	return &Log{
		st:        map[string]*pb.MeshEntry{},
		retention: o.Retention,
		now:       func() time.Time { return time.Now().UTC() },
		learned:   o.Learned,
		held:      o.Versions,
	}
}

// SetBroadcast sets how the log gossips what it takes (a cluster
// channel's Broadcast), as Alertmanager's Log.SetBroadcast.
func (l *Log) SetBroadcast(f func([]byte)) {
	l.mu.Lock()
	l.broadcast = f
	l.mu.Unlock()
}

// Event is a state event: node now holds e (Version its Timestamp in unix
// ms), at t ms into the stream.
func Event(e *pb.Entry, node string, t float64) protocol.Event {
	return protocol.Event{Type: protocol.TypeState, T: t, Node: node, Key: Key(e), Version: e.Timestamp.UnixMilli()}
}

// receiverKey and stateKey are nflog.go's.
func receiverKey(r *pb.Receiver) string {
	return fmt.Sprintf("%s/%s/%d", r.GroupName, r.Integration, r.Idx)
}

func stateKey(gkey string, r *pb.Receiver) string {
	return fmt.Sprintf("%s:%s", gkey, receiverKey(r))
}

// Key is an entry's state key in events: "nfl/<group key>:<receiver>".
func Key(e *pb.Entry) string {
	if e.Receiver == nil {
		return wire.KeyNflog + "/" + string(e.GroupKey)
	}
	return wire.KeyNflog + "/" + stateKey(string(e.GroupKey), e.Receiver)
}

// Log records a notification (nflog.go's Log).
func (l *Log) Log(r *pb.Receiver, gkey string, firing, resolved []uint64, expiry time.Duration) error {
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
	b, err := wire.AppendDelimited(nil, e)
	if err != nil {
		return err
	}
	if l.merge(e, now) && l.learned != nil {
		l.learned(e.Entry, Local)
	}
	if l.broadcast != nil {
		l.broadcast(b)
	}
	return nil
}

func (l *Log) merge(e *pb.MeshEntry, now time.Time) bool {
	if e.Entry == nil || e.Entry.Receiver == nil || e.ExpiresAt.Before(now) {
		return false
	}
	k := stateKey(string(e.Entry.GroupKey), e.Entry.Receiver)
	prev, ok := l.st[k]
	if !ok || prev.Entry.Timestamp.Before(e.Entry.Timestamp) {
		l.st[k] = e
		if l.held != nil {
			l.held.Set(wire.KeyNflog+"/"+k, e.Entry.Timestamp.UnixMilli())
		}
		return true
	}
	return false
}

// Merge takes gossiped entries (nflog.go's Merge).
func (l *Log) Merge(b []byte) error {
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
				l.learned(e.Entry, Gossip)
			}
		}
	}
	if fresh && !wire.Oversized(b) && l.broadcast != nil {
		l.broadcast(b)
	}
	return nil
}

// Query returns the entry for a group and receiver, or ErrNotFound.
func (l *Log) Query(gkey string, r *pb.Receiver) (*pb.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.st[stateKey(gkey, r)]
	if !ok {
		return nil, ErrNotFound
	}
	return e.Entry, nil
}

// Entries returns all entries not past retention.
func (l *Log) Entries() []*pb.Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	out := make([]*pb.Entry, 0, len(l.st))
	for k, e := range l.st {
		if e.ExpiresAt.Before(now) {
			delete(l.st, k)
			if l.held != nil {
				l.held.Drop(wire.KeyNflog + "/" + k)
			}
			continue
		}
		out = append(out, e.Entry)
	}
	return out
}

// MarshalBinary is the node's full notification log for a push-pull.
func (l *Log) MarshalBinary() ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return wire.MarshalAll(l.st)
}

func decodeEntries(b []byte) ([]*pb.MeshEntry, error) {
	var out []*pb.MeshEntry
	err := wire.ReadDelimited(b, func(m []byte) error {
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
