package node

import (
	"regexp"
	"testing"
	"time"
)

// Names are ULIDs like Alertmanager's (oklog/ulid gives 01M7Q5CQG0... for
// this millisecond), so they sort by creation time among real peers.
func TestNewULID(t *testing.T) {
	ms := time.UnixMilli(1795000000000)
	a := newULID(ms)
	if len(a) != 26 || a[:10] != "01M7Q5CQG0" {
		t.Fatalf("newULID = %q, want 26 chars starting 01M7Q5CQG0", a)
	}
	if b := newULID(ms.Add(time.Millisecond)); b <= a {
		t.Fatalf("%q (later) does not sort after %q", b, a)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(newUUID()) {
		t.Fatalf("newUUID = %q is not a v4 UUID", newUUID())
	}
}
