package live_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/live"
	"github.com/gossipscope/gossipscope/protocol"
)

// Speeds that would play everything at once (1e-300 made every wait
// overflow) or stall for ages are refused.
func TestReplayRefusesExtremeSpeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ok.jsonl")
	os.WriteFile(path, []byte(`{"type":"header","t":0,"version":1}`+"\n"+`{"type":"heal","t":1}`+"\n"), 0o644)
	nan := 0.0
	for _, speed := range []float64{1e-300, 1e-9, 1e-4, 0, -1, nan / nan, 2e6, 1e300} {
		if rp, err := live.OpenReplay(context.Background(), path, speed); err == nil {
			rp.Close()
			t.Errorf("speed %v accepted", speed)
		} else if !strings.Contains(err.Error(), "is not in [0.001, 1e+06]") {
			t.Errorf("speed %v: %v", speed, err)
		}
	}
	for _, speed := range []float64{1e-3, 1, 1e6} {
		rp, err := live.OpenReplay(context.Background(), path, speed)
		if err != nil {
			t.Errorf("speed %v: %v", speed, err)
			continue
		}
		rp.Close()
	}
}

// Timestamps of 1e300 (played at once before) are skipped as bad lines; a
// gap of 1.6 years (a stall of that long before) is shortened to the max
// gap, and a note says what the replay is doing.
func TestReplayExtremeTimestamps(t *testing.T) {
	text := strings.Join([]string{
		`{"type":"header","t":0,"version":1,"source":"lab"}`,
		`{"type":"node","t":0,"node":"n1","status":"alive"}`,
		`{"type":"node","t":1e300,"node":"n2","status":"alive"}`,
		`{"type":"node","t":1e12,"node":"n3","status":"alive"}`,
		`{"type":"node","t":5e10,"node":"n4","status":"alive"}`,
		`{"type":"node","t":5.00000001e10,"node":"n5","status":"alive"}`,
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "times.jsonl")
	os.WriteFile(path, []byte(text), 0o644)
	rp, err := live.OpenReplay(context.Background(), path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	rp.SetMaxGap(300 * time.Millisecond)
	var told []string
	rp.SetNotify(func(s string) { told = append(told, s) })
	var nodes, notes []string
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := rp.Play(ctx, func(ev protocol.Event) {
		switch ev.Type {
		case protocol.TypeNode:
			nodes = append(nodes, ev.Node)
		case protocol.TypeNote:
			notes = append(notes, ev.Text)
		}
	}, nil, 0)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(nodes, " ") != "n1 n4 n5" || res.Skipped != 2 {
		t.Errorf("played %v, skipped %d; want n1 n4 n5 and 2 skipped", nodes, res.Skipped)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"line 3: time 1e+300 ms is past", "line 4: time 1e+12 ms is past", "nothing happens for 1.6 years (t 0 to 50000000000 ms, at speed 1); shortened to 300ms"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes do not say %q:\n%s", want, all)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "shortened") {
		t.Errorf("told %q", told)
	}
	// The 10 µs between n4 and n5 (at speed 1) is kept, the gap is not.
	if took < 250*time.Millisecond || took > 3*time.Second {
		t.Errorf("played in %v, want about the 300 ms max gap", took)
	}
}

// An endless file with no newline (replay /dev/zero spun one core for ever
// and ignored SIGTERM): the replay gives up after 64 MiB with no event.
func TestReplayOfAnEndlessFileEnds(t *testing.T) {
	start := time.Now()
	rp, err := live.OpenReplay(context.Background(), "/dev/zero", 1)
	if err == nil {
		rp.Close()
		t.Fatal("replay of /dev/zero opened")
	}
	if !strings.Contains(err.Error(), "no usable event in 64 MiB") {
		t.Errorf("error %v", err)
	}
	t.Logf("gave up on /dev/zero after %v: %v", time.Since(start), err)
}

// A read that blocks (a pipe nobody writes to) ends when the context does.
func TestReplayStopsWhileReading(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no fifo:", err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0) // a writer that never writes
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		rp, err := live.OpenReplay(ctx, fifo, 1)
		if err == nil {
			rp.Close()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a replay blocked reading a pipe ignored its context for 3 s")
	}

	// The same while playing: a header, then nothing.
	w.WriteString(`{"type":"header","t":0,"version":1}` + "\n" + `{"type":"heal","t":1}` + "\n")
	rp, err := live.OpenReplay(context.Background(), fifo, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel2() }()
	start := time.Now()
	if _, err := rp.Play(ctx2, func(protocol.Event) {}, nil, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Play: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Play took %v to stop", d)
	}
}
