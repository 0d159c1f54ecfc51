package node

import (
	"strings"
	"testing"
)

// Vectors computed with github.com/cespare/xxhash/v2 v2.2.0, the hash
// Alertmanager v0.27 uses for the notification log.
func TestXXHash64MatchesAlertmanagers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0xef46db3751d8e999},
		{"a", 0xd24ec4f1a98c6e5b},
		{"abc", 0x44bc2cf5ad770999},
		{"alertname\xffNodeDown\xffinstance\xffdb1\xff", 0x7939a549cb48f4e3},
		{strings.Repeat("0123456789", 7), 0x4916a0f3f0e1c781},
		{strings.Repeat("x", 33), 0xb3fa465f554208a6},
	} {
		if got := xxhash64([]byte(tc.in)); got != tc.want {
			t.Errorf("xxhash64(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
	if got := hashAlert(map[string]string{"instance": "db1", "alertname": "NodeDown"}); got != 0x7939a549cb48f4e3 {
		t.Errorf("hashAlert = %#x", got)
	}
}
