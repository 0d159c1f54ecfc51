package server

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gossipscope/gossipscope/protocol"
)

// A client that sends bad commands with a 60,000-byte id (0xFF bytes,
// which JSON turns into three-byte U+FFFD) as fast as it can and never
// reads: before, every reply echoed the id and bypassed the client's
// buffer limit (68 MB -> 731 MB in 5 s). Now ids are not echoed past
// protocol.MaxIDBytes, error texts are cut, and a client whose replies
// wait unread is not read either (live's TestUnreadRepliesStopReading),
// so the server stays within its buffers (live's
// TestReplyFloodMemoryIsBounded measures it) and other clients are served.
func TestReplyFloodIsBounded(t *testing.T) {
	s := startTestServer(t, labOpts(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	flood, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte(`{"id":"` + string(bytes.Repeat([]byte{0xFF}, 60000)) + `","cmd":"nope"}`)
	sent := 0
	for start := time.Now(); time.Since(start) < time.Second; sent++ {
		if err := flood.c.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Fatal(err)
		}
	}
	// Another client is served meanwhile, and a long id is refused, not
	// echoed.
	lc, _, err := dialLive(t, ctx, s.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := lc.command(ctx, "ok", `{"id":"ok","cmd":"heal"}`); r.Error != "" {
		t.Fatalf("another client's command: %s", r.Error)
	}
	r := lc.command(ctx, "", `{"id":"`+strings.Repeat("x", protocol.MaxIDBytes+1)+`","cmd":"heal"}`)
	if !strings.Contains(r.Error, "id longer than") {
		t.Fatalf("reply to a long id: %+v", r)
	}
	st := getStats(t, s.URL())
	t.Logf("after %d flooding commands: %v commands handled", sent, st["commands"])
}

// --record /dev/full logged the write error and still said "recording
// saved". Now the failure is the server's error and nothing claims a save.
func TestRecordingToAFullDiskFails(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	o := labOpts(1)
	o.record = "/dev/full"
	var out syncBuffer
	s, err := startServer(o, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the header and the lab's first events
	err = s.Close()
	if err == nil || !strings.Contains(err.Error(), "recording to /dev/full failed") || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Close: %v, want the recording's failure", err)
	}
	if strings.Contains(out.String(), "recording saved") {
		t.Errorf("output claims a save: %q", out.String())
	}
}
