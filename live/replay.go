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

// The ranges a replay accepts. Outside them a speed or a time would turn
// into "everything at once" or "nothing for years" (a duration overflows
// past 292 years of nanoseconds).
const (
	MinReplaySpeed = 1e-3
	MaxReplaySpeed = 1e6
	// MaxReplayT is the latest event time played, in ms (about 3 years
	// after the recording started); later events are skipped as bad lines.
	MaxReplayT = 1e11
	// DefaultMaxGap is how long a replay waits at most, in wall time,
	// between two events; a longer silence in the recording is shortened
	// to it, and a note says so.
	DefaultMaxGap = 10 * time.Second
	// maxJunkBytes is how much a replay reads without finding a usable
	// event before it gives up: reading /dev/zero must end.
	maxJunkBytes = 64 << 20
	// announceWait is the shortest wait a replay tells clients about.
	announceWait = 5 * time.Second
)

// Replay is a recording played back as a live source. It reads the file as
// it plays, so recordings of any length use little memory.
type Replay struct {
	name   string
	speed  float64
	maxGap time.Duration
	notify func(string)
	f      io.Closer
	in     *guardedReader
	dec    *protocol.Decoder
	header protocol.Event
	first  *protocol.Event // an event read while looking for the header
	track  Tracker
	beyond int // events skipped for a time past MaxReplayT

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
// fast as recorded), in [MinReplaySpeed, MaxReplaySpeed]. It reads as far
// as the first usable event; a file with none is an error, and so is one
// with no usable event in its first 64 MiB (reading /dev/zero ends). A
// recording without a header still plays, with a problem reported. ctx
// ends the reading, even a read blocked on a pipe.
func OpenReplay(ctx context.Context, path string, speed float64) (*Replay, error) {
	if !(speed >= MinReplaySpeed && speed <= MaxReplaySpeed) {
		return nil, fmt.Errorf("replay speed %v is not in [%g, %g]", speed, MinReplaySpeed, MaxReplaySpeed)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	closeOnce := sync.OnceValue(f.Close)
	stop := context.AfterFunc(ctx, func() { closeOnce() }) // unblocks a read
	defer stop()
	r, err := newReplay(ctx, f, filepath.Base(path), speed)
	if err != nil {
		closeOnce()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.f = closer(closeOnce)
	return r, nil
}

type closer func() error

func (c closer) Close() error { return c() }

// guardedReader stops reading when its context ends or when maxJunkBytes
// have gone by without a usable event (the replay resets junk on each).
type guardedReader struct {
	r    io.Reader
	ctx  context.Context
	junk int64
}

var errJunk = fmt.Errorf("no usable event in %d MiB of input: is this a recording?", maxJunkBytes>>20)

func (g *guardedReader) Read(p []byte) (int, error) {
	if err := g.ctx.Err(); err != nil {
		return 0, err
	}
	if g.junk > maxJunkBytes {
		return 0, errJunk
	}
	n, err := g.r.Read(p)
	g.junk += int64(n)
	if err != nil && g.ctx.Err() != nil { // the file was closed to stop us
		err = g.ctx.Err()
	}
	return n, err
}

func newReplay(ctx context.Context, rd io.Reader, name string, speed float64) (*Replay, error) {
	in := &guardedReader{r: rd, ctx: ctx}
	r := &Replay{name: name, speed: speed, maxGap: DefaultMaxGap, in: in, dec: protocol.NewDecoder(in)}
	ev, err := r.next()
	if err == io.EOF {
		if p := r.Problems(); len(p) > 0 {
			return nil, fmt.Errorf("no usable events (%d bad lines; first: %v)", r.dec.Bad+r.beyond, p[0])
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
	r.header = protocol.Header(protocol.SourceReplay, params)
	return r, nil
}

// SetMaxGap sets the longest wait between two events (DefaultMaxGap when
// d <= 0). Call it before Play.
func (r *Replay) SetMaxGap(d time.Duration) {
	if d <= 0 {
		d = DefaultMaxGap
	}
	r.maxGap = d
}

// SetNotify has Play also tell f what it tells clients about long waits.
func (r *Replay) SetNotify(f func(text string)) { r.notify = f }

// next returns the next usable event, recording bad lines (and events
// past MaxReplayT) as problems.
func (r *Replay) next() (protocol.Event, error) {
	for {
		ev, err := r.dec.Next()
		var le *protocol.LineError
		if errors.As(err, &le) {
			r.problem(le)
			continue
		}
		if err == nil && ev.T > MaxReplayT {
			r.beyond++
			r.problem(&protocol.LineError{Line: r.dec.Line(), Err: fmt.Errorf("time %g ms is past the %g ms (about 3 years) a replay plays", ev.T, float64(MaxReplayT))})
			continue
		}
		if err == nil {
			r.in.junk = 0
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
// divided by the speed, until the end or ctx is done (which also ends a
// read in progress). Bad lines are skipped; the first MaxReplayNotes
// become note events, and a last note says the recording ended. A wait
// longer than announceWait is announced in a note, and one longer than the
// max gap (SetMaxGap) is shortened to it, with a note saying how much was
// skipped. pending, if not nil, reports the consumer's backlog: Play waits
// while it exceeds maxPending rather than have events dropped.
func (r *Replay) Play(ctx context.Context, emit func(protocol.Event), pending func() int, maxPending int) (ReplayResult, error) {
	var res ReplayResult
	r.in.ctx = ctx
	if r.f != nil {
		stop := context.AfterFunc(ctx, func() { r.f.Close() }) // unblocks a read
		defer stop()
	}
	start := time.Now()
	var skippedMs float64 // recording time skipped over long gaps, at speed
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
			if ctx.Err() != nil {
				return r.result(res), ctx.Err()
			}
			return r.result(res), fmt.Errorf("reading %s: %w", r.name, err)
		}
		if ev.Type == protocol.TypeHeader {
			r.problem(fmt.Errorf("line %d: a second header", r.dec.Line()))
			res.Skipped++
			continue
		}
		if math.IsNaN(t0) {
			t0 = ev.T
		}
		// In float ms: (T - t0) / speed can exceed what a Duration holds.
		waitMs := (ev.T-t0)/r.speed - skippedMs - float64(time.Since(start))/1e6
		if waitMs > 1 {
			if gapMs := float64(r.maxGap) / 1e6; waitMs > gapMs {
				skippedMs += waitMs - gapMs
				r.tell(note, fmt.Sprintf("recording: nothing happens for %s (t %.0f to %.0f ms, at speed %g); shortened to %v",
					humanMs(waitMs), last, ev.T, r.speed, r.maxGap))
				waitMs = gapMs
			} else if waitMs >= float64(announceWait)/1e6 {
				r.tell(note, fmt.Sprintf("recording: nothing happens for %s (t %.0f to %.0f ms, at speed %g); waiting",
					humanMs(waitMs), last, ev.T, r.speed))
			}
			if err := wait(time.Duration(waitMs * 1e6)); err != nil {
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

// tell sends text as a note and to the notify function, if any.
func (r *Replay) tell(note func(string), text string) {
	note(text)
	if r.notify != nil {
		r.notify(text)
	}
}

// humanMs says a duration in ms in the largest unit that fits: "3.2
// years", "5 days", "2h0m0s".
func humanMs(ms float64) string {
	const day, year = 24 * 3600e3, 365.25 * 24 * 3600e3
	switch {
	case ms >= year:
		return fmt.Sprintf("%.1f years", ms/year)
	case ms >= 2*day:
		return fmt.Sprintf("%.0f days", ms/day)
	}
	return time.Duration(ms * 1e6).Round(time.Second).String()
}

func (r *Replay) result(res ReplayResult) ReplayResult {
	res.Skipped += r.dec.Bad + r.beyond
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
