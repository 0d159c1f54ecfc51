package server

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this test binary as the gossipscope command
// (GOSSIPSCOPE_RUN_MAIN=1), to send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("GOSSIPSCOPE_RUN_MAIN") == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// runChild runs the gossipscope command in a child process.
func runChild(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GOSSIPSCOPE_RUN_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, &out
}

func exitWithin(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v still running after %v", cmd.Args[1:], d)
		return -1
	}
}

// 'replay /dev/zero' spun a core and ignored SIGTERM (still running 15
// minutes after 'timeout 6'). Now it gives up on its own, and a replay
// blocked reading a pipe stops on SIGTERM.
func TestReplayProcessStopsOnEndlessInputAndSignals(t *testing.T) {
	cmd, out := runChild(t, "replay", "--web.listen-address", "127.0.0.1:0", "/dev/zero")
	if code := exitWithin(t, cmd, 10*time.Second); code != 1 || !strings.Contains(out.String(), "no usable event in 64 MiB") {
		t.Errorf("replay /dev/zero: exit %d, output %q", code, out.String())
	}

	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no fifo:", err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0) // a writer that never writes
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd, out = runChild(t, "replay", "--web.listen-address", "127.0.0.1:0", fifo)
	// Signal only once it has the pipe open: its signal handler is in
	// place by then (installed before the recording is opened), so the
	// SIGTERM tests the read's stop, not Go's default exit on a signal
	// that arrives while a loaded machine is still starting the child.
	waitOpen(t, cmd, fifo, 20*time.Second)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitWithin(t, cmd, 5*time.Second); code != 1 || !strings.Contains(out.String(), "stopped by a signal while reading") {
		t.Errorf("replay of a silent pipe after SIGTERM: exit %d, output %q", code, out.String())
	}
}

// waitOpen waits until the process has path open (Linux's /proc).
func waitOpen(t *testing.T, cmd *exec.Cmd, path string, d time.Duration) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc to see the child's open files:", err)
	}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if target, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && target == path {
				return
			}
		}
	}
	t.Fatalf("%v did not open %s within %v", cmd.Args[1:], path, d)
}
