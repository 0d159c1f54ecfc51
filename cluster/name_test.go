package cluster

import (
	"testing"
	"time"
)

// Names are ULIDs like Alertmanager's (oklog/ulid gives 01M7Q5CQG0... for
// this millisecond), so they sort by creation time among real peers.
func TestNewULID(t *testing.T) {
	ms := time.UnixMilli(1795000000000)
	a := NewULID(ms)
	if len(a) != 26 || a[:10] != "01M7Q5CQG0" {
		t.Fatalf("newULID = %q, want 26 chars starting 01M7Q5CQG0", a)
	}
	if b := NewULID(ms.Add(time.Millisecond)); b <= a {
		t.Fatalf("%q (later) does not sort after %q", b, a)
	}
}
