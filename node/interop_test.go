package node

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// alertmanagerBinary returns $ALERTMANAGER, skipping the test without it
// (failing under CI=true, where .ci/run builds it).
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	p := os.Getenv("ALERTMANAGER")
	if p == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ALERTMANAGER is not set under CI=true: .ci/run builds bin/alertmanager")
		}
		t.Skip("ALERTMANAGER not set (path to an Alertmanager v0.27.0 binary)")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("ALERTMANAGER=%s: %v", p, err)
	}
	return p
}

// freePort returns a loopback port free for TCP and UDP.
func freePort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 20; i++ {
		tl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := tl.Addr().(*net.TCPAddr).Port
		ul, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		tl.Close()
		if err == nil {
			ul.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

type realAM struct {
	api, gossip string
}

// startAlertmanager runs a real Alertmanager on loopback joined to peer,
// with fast cluster timings, until the test ends.
func startAlertmanager(t *testing.T, bin, peer, webhook string) *realAM {
	t.Helper()
	dir := t.TempDir()
	conf := fmt.Sprintf(`route: {receiver: hook, group_by: [alertname], group_wait: 200ms, group_interval: 10s, repeat_interval: 1h}
receivers: [{name: hook, webhook_configs: [{url: %q, send_resolved: false}]}]
`, webhook)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	am := &realAM{
		api:    fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		gossip: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, bin,
		"--config.file="+filepath.Join(dir, "am.yml"),
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+am.api,
		"--cluster.listen-address="+am.gossip,
		"--cluster.peer="+peer,
		"--cluster.gossip-interval=50ms",
		"--cluster.pushpull-interval=2s",
		"--cluster.probe-interval=200ms",
		"--cluster.probe-timeout=100ms",
		"--cluster.peer-timeout=1s",
		"--cluster.settle-timeout=1s",
		"--log.level=warn",
	)
	logf, err := os.Create(filepath.Join(dir, "am.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start alertmanager: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		cancel()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "am.log"))
			t.Logf("alertmanager log:\n%s", b)
		}
	})
	am.api = "http://" + am.api
	return am
}

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
	bin := alertmanagerBinary(t)
	rec := &recorder{}
	l := startLab(t, 3, rec, nil)
	eventually(t, 10*time.Second, "lab convergence", func() bool { return converged(l, 3) })
	am := startAlertmanager(t, bin, l.Node("n1").Addr(), "http://127.0.0.1:9/hook")

	var amName string
	eventually(t, 30*time.Second, "Alertmanager and lab see 4 members", func() bool {
		if call(t, "GET", am.api+"/-/ready", nil, nil) != 200 {
			return false
		}
		var peers []string
		amName, peers = amStatus(t, am.api)
		return len(peers) == 4 && converged(l, 4)
	})
	if !strings.HasPrefix(amName, "0") {
		t.Logf("Alertmanager's name %q", amName)
	}

	// Silence created through the real Alertmanager's API reaches every lab node.
	id := postSilence(t, am.api, "FromRealAM", "created in alertmanager")
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
		for _, c := range silenceIDs(t, am.api) {
			if c == "FromLab" {
				return true
			}
		}
		return false
	})

	// An expiry made in the real Alertmanager reaches the lab (a newer version).
	if code := call(t, "DELETE", am.api+"/api/v2/silence/"+id, nil, nil); code != 200 {
		t.Fatalf("expire in Alertmanager: %d", code)
	}
	eventually(t, 10*time.Second, "the expiry on every lab node", func() bool {
		for _, nm := range l.Names() {
			for _, s := range l.Node(nm).Silences() {
				if s.Id == id && silenceState(s, time.Now()) != silenceExpired {
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
	bin := alertmanagerBinary(t)
	hook := newHookServer(t)
	rec := &recorder{}
	l := startLab(t, 2, rec, func(c *LabConfig) { c.Webhook = hook.URL + "/hook" })
	eventually(t, 10*time.Second, "lab convergence", func() bool { return converged(l, 2) })
	am := startAlertmanager(t, bin, l.Node("n1").Addr(), hook.URL+"/hook")
	eventually(t, 30*time.Second, "3 members everywhere", func() bool {
		_, peers := amStatus(t, am.api)
		return len(peers) == 3 && converged(l, 3)
	})
	alerts := []map[string]any{{"labels": map[string]string{"alertname": "MixedCluster", "severity": "page"}}}
	for _, api := range []string{am.api, l.Node("n1").APIURL(), l.Node("n2").APIURL()} {
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
