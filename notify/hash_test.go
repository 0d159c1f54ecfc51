package notify

import "testing"

// hashAlert must equal Alertmanager v0.27's notify.hashAlert byte for byte:
// the vector was computed with Alertmanager's own function. A mismatch makes
// mixed clusters send duplicate notifications (see TestMixedClusterDedup).
func TestHashAlertMatchesAlertmanagers(t *testing.T) {
	if got := hashAlert(map[string]string{"instance": "db1", "alertname": "NodeDown"}); got != 0x7939a549cb48f4e3 {
		t.Errorf("hashAlert = %#x, want 0x7939a549cb48f4e3", got)
	}
}

func TestLabelSetHelpers(t *testing.T) {
	ls := map[string]string{"b": "2", "a": `1"`}
	if got, want := labelSetString(ls), `{a="1\"", b="2"}`; got != want {
		t.Errorf("labelSetString = %s, want %s", got, want)
	}
	if Fingerprint(ls) == Fingerprint(map[string]string{"a": "1", "b": "2"}) {
		t.Error("different label sets share a fingerprint")
	}
}
