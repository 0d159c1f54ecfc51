package testnet

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// AlertmanagerBinary returns $ALERTMANAGER, the path to an Alertmanager
// v0.27.0 binary, skipping the test without it (failing under CI=true,
// where .ci/run builds it).
func AlertmanagerBinary(t testing.TB) string {
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

// LatestAlertmanagerBinary returns $ALERTMANAGER_LATEST, the path to the
// newest Alertmanager the module proxy serves (v0.35.0 when written), for
// tests that hold gossipscope to what current Alertmanagers do as well as
// v0.27. It skips the test without it (fails under CI=true, where .ci/run
// builds it).
func LatestAlertmanagerBinary(t testing.TB) string {
	t.Helper()
	p := os.Getenv("ALERTMANAGER_LATEST")
	if p == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ALERTMANAGER_LATEST is not set under CI=true: .ci/run builds bin/alertmanager-latest")
		}
		t.Skip("ALERTMANAGER_LATEST not set (path to the newest Alertmanager binary, v0.35.0)")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("ALERTMANAGER_LATEST=%s: %v", p, err)
	}
	return p
}

// AlertmanagerConfig is what differs between the tests' Alertmanagers.
type AlertmanagerConfig struct {
	Binary    string        // the binary to run; default AlertmanagerBinary's ($ALERTMANAGER)
	Peer      string        // gossip address to join; "" for the first of a cluster
	Webhook   string        // the one receiver's URL; default http://127.0.0.1:9/hook (nothing answers)
	GroupWait time.Duration // the route's group_wait; default 1s
}

// Alertmanager is a real Alertmanager process on loopback.
type Alertmanager struct {
	API    string // http://127.0.0.1:port
	Gossip string // 127.0.0.1:port
	cmd    *exec.Cmd
	done   chan struct{}
}

// maxAlertmanagerLife bounds a test's Alertmanager should its test hang.
const maxAlertmanagerLife = 2 * time.Minute

// StartAlertmanager runs $ALERTMANAGER (see AlertmanagerBinary) on
// loopback with fast cluster timings (gossip every 50 ms, probes every
// 200 ms, push-pull every 2 s, peer timeout and settling 1 s), waits until
// its API answers, and stops it when the test ends, showing its log if
// the test failed.
func StartAlertmanager(t testing.TB, cfg AlertmanagerConfig) *Alertmanager {
	t.Helper()
	bin := cfg.Binary
	if bin == "" {
		bin = AlertmanagerBinary(t)
	}
	if cfg.Webhook == "" {
		cfg.Webhook = "http://127.0.0.1:9/hook"
	}
	if cfg.GroupWait == 0 {
		cfg.GroupWait = time.Second
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`route: {receiver: hook, group_by: [alertname], group_wait: %s, group_interval: 10s, repeat_interval: 1h}
receivers: [{name: hook, webhook_configs: [{url: %q, send_resolved: false}]}]
`, cfg.GroupWait, cfg.Webhook)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	api := FreeAddr(t)
	am := &Alertmanager{API: "http://" + api, Gossip: FreeAddr(t), done: make(chan struct{})}
	args := []string{
		"--config.file=" + filepath.Join(dir, "am.yml"),
		"--storage.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + api,
		"--cluster.listen-address=" + am.Gossip,
		"--cluster.gossip-interval=50ms",
		"--cluster.pushpull-interval=2s",
		"--cluster.probe-interval=200ms",
		"--cluster.probe-timeout=100ms",
		"--cluster.peer-timeout=1s",
		"--cluster.settle-timeout=1s",
		"--log.level=warn",
	}
	if cfg.Peer != "" {
		args = append(args, "--cluster.peer="+cfg.Peer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), maxAlertmanagerLife)
	am.cmd = exec.CommandContext(ctx, bin, args...)
	logf, err := os.Create(filepath.Join(dir, "am.log"))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	am.cmd.Stdout, am.cmd.Stderr = logf, logf
	if err := am.cmd.Start(); err != nil {
		cancel()
		logf.Close()
		t.Fatalf("start alertmanager: %v", err)
	}
	go func() { _ = am.cmd.Wait(); close(am.done) }()
	t.Cleanup(func() {
		am.Stop(os.Interrupt)
		cancel()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "am.log"))
			t.Logf("alertmanager %s log:\n%s", am.API, b)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); !am.ready(); time.Sleep(50 * time.Millisecond) {
		select {
		case <-am.done:
			t.Fatalf("alertmanager %s exited: %v", am.API, am.cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager %s does not answer /-/ready after 20 s", am.API)
		}
	}
	return am
}

func (am *Alertmanager) ready() bool {
	resp, err := http.Get(am.API + "/-/ready")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Stop signals the process (os.Interrupt to leave the cluster, os.Kill or
// SIGKILL to crash it) and waits for it to exit, killing it after 5 s.
// Stopping a stopped Alertmanager does nothing.
func (am *Alertmanager) Stop(sig os.Signal) {
	select {
	case <-am.done:
		return
	default:
	}
	_ = am.cmd.Process.Signal(sig)
	select {
	case <-am.done:
	case <-time.After(5 * time.Second):
		_ = am.cmd.Process.Kill()
		<-am.done
	}
}
