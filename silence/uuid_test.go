package silence

import (
	"regexp"
	"testing"
)

// Silence IDs are random v4 UUIDs, as Alertmanager's.
func TestNewUUID(t *testing.T) {
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(newUUID()) {
		t.Fatalf("newUUID = %q is not a v4 UUID", newUUID())
	}
}
