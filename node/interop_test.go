package node

import (
	"github.com/gossipscope/gossipscope/silence"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
	"github.com/gossipscope/gossipscope/protocol"
)

// amStatus returns the real Alertmanager's name and peer names.
func amStatus(t *testing.T, api string) (string, []string) {
	var st struct {
		Cluster struct {
			Name  string `json:"name"`
			Peers []struct {
				Name string `json:"name"`
			} `json:"peers"`
		} `json:"cluster"`
	}
	if call(t, "GET", api+"/api/v2/status", nil, &st) != 200 {
		return "", nil
	}
	var peers []string
	for _, p := range st.Cluster.Peers {
		peers = append(peers, p.Name)
	}
	return st.Cluster.Name, peers
}

// A real Alertmanager v0.27.0 joins a lab node: silences flow both ways.
func TestInteropRealAlertmanager(t *testing.T) {
	interopRealAlertmanager(t, testnet.AlertmanagerBinary(t))
}

// So does the newest Alertmanager (v0.35.0): its cluster wire format is
// v0.27's.
func TestInteropNewestAlertmanager(t *testing.T) {
	interopRealAlertmanager(t, testnet.LatestAlertmanagerBinary(t))
}

func interopRealAlertmanager(t *testing.T, bin string) {
	t.Parallel()
	rec := &recorder{}
	l := startLab(t, 3, rec, nil)
	eventually(t, 10*time.Second, "lab convergence", func() bool { return converged(l, 3) })
	am := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Binary: bin, Peer: l.Node("n1").Addr()})

	var amName string
	eventually(t, 30*time.Second, "Alertmanager and lab see 4 members", func() bool {
		var peers []string
		amName, peers = amStatus(t, am.API)
		return len(peers) == 4 && converged(l, 4)
	})
	if !strings.HasPrefix(amName, "0") {
		t.Logf("Alertmanager's name %q", amName)
	}

	// Silence created through the real Alertmanager's API reaches every lab node.
	id := postSilence(t, am.API, "FromRealAM", "created in alertmanager")
	eventually(t, 10*time.Second, "the Alertmanager silence on every lab node", func() bool {
		for _, nm := range l.Names() {
			if silenceIDs(t, l.Node(nm).APIURL())[id] != "created in alertmanager" {
				return false
			}
		}
		return true
	})
	holders := map[string]bool{}
	for _, e := range rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeState && e.Key == "sil/"+id }) {
		holders[e.Node] = true
	}
	if len(holders) != 3 {
		t.Fatalf("state events for the Alertmanager silence from %v, want n1..n3", holders)
	}
	// What the real Alertmanager sends the lab is reported under its name.
	eventually(t, 5*time.Second, "messages from the Alertmanager, named", func() bool {
		return len(rec.filter(func(e protocol.Event) bool { return e.Type == protocol.TypeMsg && e.From == amName })) > 0
	})

	// Silence created on a lab node shows in the real Alertmanager's API.
	if err := l.Command(protocol.Command{Cmd: protocol.CmdSilence, Node: "n3", Text: "FromLab"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the lab silence in Alertmanager's API", func() bool {
		for _, c := range silenceIDs(t, am.API) {
			if c == "FromLab" {
				return true
			}
		}
		return false
	})

	// An expiry made in the real Alertmanager reaches the lab (a newer version).
	if code := call(t, "DELETE", am.API+"/api/v2/silence/"+id, nil, nil); code != 200 {
		t.Fatalf("expire in Alertmanager: %d", code)
	}
	eventually(t, 10*time.Second, "the expiry on every lab node", func() bool {
		for _, nm := range l.Names() {
			for _, s := range l.Node(nm).Silences() {
				if s.Id == id && silence.CalcState(s, time.Now()) != "expired" {
					return false
				}
			}
		}
		return true
	})
}

// A mixed cluster deduplicates too: the real Alertmanager (whose ULID name
// sorts first, so position 0) notifies, and the lab nodes find its
// notification log entry (same group key, receiver and alert hashes) and
// skip.
func TestInteropHADedupWithRealAlertmanager(t *testing.T) {
	t.Parallel()
	testnet.AlertmanagerBinary(t) // skip before starting the lab
	hook := newHookServer(t)
	rec := &recorder{}
	l := startLab(t, 2, rec, func(c *LabConfig) { c.Webhook = hook.URL + "/hook" })
	eventually(t, 10*time.Second, "lab convergence", func() bool { return converged(l, 2) })
	am := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Peer: l.Node("n1").Addr(), Webhook: hook.URL + "/hook", GroupWait: 200 * time.Millisecond})
	eventually(t, 30*time.Second, "3 members everywhere", func() bool {
		_, peers := amStatus(t, am.API)
		return len(peers) == 3 && converged(l, 3)
	})
	alerts := []map[string]any{{"labels": map[string]string{"alertname": "MixedCluster", "severity": "page"}}}
	for _, api := range []string{am.API, l.Node("n1").APIURL(), l.Node("n2").APIURL()} {
		if code := call(t, "POST", api+"/api/v2/alerts", alerts, nil); code != 200 {
			t.Fatalf("post alert to %s: %d", api, code)
		}
	}
	eventually(t, 10*time.Second, "both lab nodes skip", func() bool {
		return len(rec.filter(func(e protocol.Event) bool {
			return e.Type == protocol.TypeNote && strings.Contains(e.Text, "skipped notification")
		})) == 2
	})
	got := hook.got()
	if len(got) != 1 {
		t.Fatalf("%d webhooks, want exactly 1: %+v", len(got), got)
	}
	if got[0].ExternalURL == l.Node("n1").APIURL() || got[0].ExternalURL == l.Node("n2").APIURL() {
		t.Fatalf("a lab node notified (%s); the real Alertmanager is position 0", got[0].ExternalURL)
	}
}
