package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// MaxReplayNotes bounds how many bad lines a replay reports to clients as
// notes; the rest are counted in its result.
const MaxReplayNotes = 20

// Replay is a recording played back as a live source. It reads the file as
// it plays, so recordings of any length use little memory.
type Replay struct {
	name   string
	speed  float64
	f      io.Closer
	dec    *protocol.Decoder
	header protocol.Event
	first  *protocol.Event // an event read while looking for the header
	track  Tracker

	mu       sync.Mutex
	problems []error
}

// ReplayResult says how a replay went.
type ReplayResult struct {
	Events   int     // events played
	Skipped  int     // lines that could not be used
	Problems []error // the first problems, by line number
}

// OpenReplay opens a JSON Lines recording to play at speed (2 = twice as
// fast as recorded). It reads as far as the first usable event; a file with
// none is an error. A recording without a header still plays, with a
// problem reported.
func OpenReplay(path string, speed float64) (*Replay, error) {
	if math.IsNaN(speed) || speed <= 0 || speed > 1e6 {
		return nil, fmt.Errorf("replay speed %v is not in (0, 1e6]", speed)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newReplay(f, filepath.Base(path), speed)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.f = f
	return r, nil
}

func newReplay(rd io.Reader, name string, speed float64) (*Replay, error) {
	r := &Replay{name: name, speed: speed, dec: protocol.NewDecoder(rd)}
	ev, err := r.next()
	if err == io.EOF {
		if p := r.Problems(); len(p) > 0 {
			return nil, fmt.Errorf("no usable events (%d bad lines; first: %v)", r.dec.Bad, p[0])
		}
		return nil, errors.New("no events: the recording is empty")
	}
	if err != nil {
		return nil, err
	}
	orig := protocol.Header("", nil)
	if ev.Type == protocol.TypeHeader {
		orig = ev
	} else {
		r.problem(fmt.Errorf("line %d: recording does not start with a header", r.dec.Line()))
		r.first = &ev
	}
	params := map[string]any{}
	for k, v := range orig.Params {
		params[k] = v
	}
	params["recorded_source"] = orig.Source
	params["file"] = name
	params["speed"] = speed
	r.header = protocol.Header("replay", params)
	return r, nil
}

// next returns the next usable event, recording bad lines as problems.
func (r *Replay) next() (protocol.Event, error) {
	for {
		ev, err := r.dec.Next()
		var le *protocol.LineError
		if errors.As(err, &le) {
			r.problem(le)
			continue
		}
		return ev, err
	}
}

func (r *Replay) problem(err error) {
	r.mu.Lock()
	if len(r.problems) < 100 {
		r.problems = append(r.problems, err)
	}
	r.mu.Unlock()
}

// Problems returns the first problems met so far.
func (r *Replay) Problems() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.problems...)
}

// Header is the replay's header: source "replay", the recording's params
// plus recorded_source, file and speed.
func (r *Replay) Header() protocol.Event { return r.header }

// SetMaxKeys bounds the state entries the replay keeps for late clients
// (Tracker.MaxKeys; 0 = DefaultMaxKeys). Call it before Play.
func (r *Replay) SetMaxKeys(n int) { r.track.MaxKeys = n }

// Snapshot is the state the events played so far have reached.
func (r *Replay) Snapshot() []protocol.Event { return r.track.Snapshot() }

// Command refuses every command: a recording cannot be changed.
func (r *Replay) Command(c protocol.Command) error {
	return fmt.Errorf("%s: a replay takes no commands", c.Cmd)
}

// Play emits the recording's events through emit, paced by their T
// divided by the speed, until the end or ctx is done. Bad lines are
// skipped; the first MaxReplayNotes become note events, and a last note
// says the recording ended. pending, if not nil, reports the consumer's
// backlog: Play waits while it exceeds maxPending rather than have events
// dropped.
func (r *Replay) Play(ctx context.Context, emit func(protocol.Event), pending func() int, maxPending int) (ReplayResult, error) {
	var res ReplayResult
	start := time.Now()
	t0, last := math.NaN(), 0.0
	reported := len(r.Problems())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	wait := func(d time.Duration) error {
		timer.Reset(d)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return nil
		}
	}
	note := func(text string) {
		emit(protocol.Event{Type: protocol.TypeNote, T: last, Text: text})
	}
	for _, p := range r.Problems() {
		note("recording " + p.Error())
	}
	for {
		var ev protocol.Event
		var err error
		if r.first != nil {
			ev, r.first = *r.first, nil
		} else {
			ev, err = r.next()
		}
		// Report new bad lines where they were met.
		if ps := r.Problems(); len(ps) > reported {
			for _, p := range ps[reported:] {
				if reported < MaxReplayNotes {
					note(fmt.Sprintf("recording %v; skipped", p))
				}
				reported++
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			res.Skipped = r.dec.Bad
			res.Problems = r.Problems()
			return res, fmt.Errorf("reading %s: %w", r.name, err)
		}
		if ev.Type == protocol.TypeHeader {
			r.problem(fmt.Errorf("line %d: a second header", r.dec.Line()))
			res.Skipped++
			continue
		}
		if math.IsNaN(t0) {
			t0 = ev.T
		}
		if due := time.Duration((ev.T - t0) / r.speed * float64(time.Millisecond)); due > time.Since(start)+time.Millisecond {
			if err := wait(due - time.Since(start)); err != nil {
				return r.result(res), err
			}
		}
		for pending != nil && pending() > maxPending {
			if err := wait(5 * time.Millisecond); err != nil {
				return r.result(res), err
			}
		}
		r.track.Observe(ev)
		emit(ev)
		last = ev.T
		res.Events++
		if err := ctx.Err(); err != nil {
			return r.result(res), err
		}
	}
	res = r.result(res)
	note(fmt.Sprintf("end of recording %s: %d events played, %d lines skipped", r.name, res.Events, res.Skipped))
	return res, nil
}

func (r *Replay) result(res ReplayResult) ReplayResult {
	res.Skipped += r.dec.Bad
	res.Problems = r.Problems()
	return res
}

// Close closes the recording's file.
func (r *Replay) Close() error {
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}
