package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/node"
	"github.com/gossipscope/gossipscope/protocol"
)

// The lab's default ports keep clear of Alertmanager's 9093/9094, so
// `make run` works beside a real Alertmanager.
func TestLabDefaultPortsAvoidAlertmanagers(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var o labOptions
	addLabFlags(fs, &o)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		for _, p := range []int{o.apiPort + 2*i, o.gossipPort + 2*i} {
			if p == node.APIPort || p == node.GossipPort {
				t.Fatalf("lab node %d takes port %d, Alertmanager's own", i, p)
			}
		}
	}
}

// At start the lab prints each node's API and gossip address, and the API
// address printed answers.
func TestLabPrintsEachNodesAddresses(t *testing.T) {
	var out bytes.Buffer
	lab := labOptions{nodes: 2, randomPorts: true, fast: true}
	startTestServer(t, serveOptions{listen: "127.0.0.1:0", source: lab.source(&out)})
	re := regexp.MustCompile(`(?m)^gossipscope: lab node (n[12]) api (http://127\.0\.0\.1:\d+) gossip 127\.0\.0\.1:\d+$`)
	m := re.FindAllStringSubmatch(out.String(), -1)
	if len(m) != 2 || m[0][1] != "n1" || m[1][1] != "n2" {
		t.Fatalf("start output %q: want one line per node with its API and gossip addresses", out.String())
	}
	resp, err := http.Get(m[1][2] + "/api/v2/status")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s/api/v2/status: %s", m[1][2], resp.Status)
	}
}

// Help goes to stdout (so it pipes), a bad flag is one line on stderr
// ending "try --help", and every command has --version, --log.level and
// --log.format.
func TestEveryCommandsHelpVersionAndBadFlags(t *testing.T) {
	version := dispatchOut(t, 0, "version")
	if !strings.HasPrefix(version, "gossipscope ") || !strings.Contains(version, runtime.Version()) {
		t.Fatalf("gossipscope version: %q", version)
	}
	if got := dispatchOut(t, 0, "--version"); got != version {
		t.Fatalf("gossipscope --version %q, want %q", got, version)
	}
	if got := dispatchOut(t, 0, "--help"); !strings.Contains(got, "usage: gossipscope <command>") {
		t.Fatalf("gossipscope --help on stdout: %q", got)
	}
	for _, cmd := range [][]string{{"serve"}, {"lab"}, {"node"}, {"observe"}, {"replay"}, {"sim"}, {"sim", "--plan"}} {
		name := strings.Join(cmd, " ")
		if got := dispatchOut(t, 0, append(cmd, "--version")...); got != version {
			t.Errorf("%s --version: %q, want %q", name, got, version)
		}
		if got := dispatchOut(t, 0, append(cmd, "--help")...); !strings.HasPrefix(got, "usage: gossipscope "+name+" ") ||
			!strings.Contains(got, "-log.format") || !strings.Contains(got, "-log.level") {
			t.Errorf("%s --help: stdout %q, want its usage line and the log flags", name, got)
		}
		for _, bad := range [][]string{{"--no-such-flag"}, {"--log.format", "xml"}, {"--log.level", "loud"}} {
			var out, errb bytes.Buffer
			code := dispatch(append(append([]string{}, cmd...), bad...), &out, &errb)
			e := errb.String()
			if code != 2 || out.Len() != 0 || strings.Count(e, "\n") != 1 || !strings.HasSuffix(e, "; try --help\n") ||
				!strings.HasPrefix(e, "gossipscope "+name+": ") {
				t.Errorf("%s %v: exit %d, stdout %q, stderr %q: want 2 and one line ending \"try --help\"", name, bad, code, out.String(), e)
			}
		}
	}
}

// dispatchOut runs the command line and returns its stdout, failing unless
// it exits with code and writes nothing to stderr.
func dispatchOut(t *testing.T, code int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if got := dispatch(args, &out, &errb); got != code || errb.Len() != 0 {
		t.Fatalf("%v: exit %d, stderr %q; want %d and nothing on stderr", args, got, errb.String(), code)
	}
	return out.String()
}

// A zero fan-out or period is an error, not silently the default, from a
// flag or from a scenario (the page's ?fanout=0 goes through the same
// engine.ParseQuery).
func TestSimZeroFanoutOrPeriodIsAnError(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--fanout", "0"}, "fanout: 0"},
		{[]string{"--period", "0"}, "period: 0"},
		{[]string{"--scenario", "nodes=10&fanout=0"}, "fanout: 0"},
	} {
		code, out, errs := runSimCmd(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("sim %v: exit %d, stdout %q, stderr %q: want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
}

// --log.format json writes JSON lines to stderr; --record - writes the
// recording to stdout and moves the status lines to stderr.
func TestRecordToStdoutAndJSONLogs(t *testing.T) {
	var out, errb syncBuffer
	fs := newFlagSet("lab", &out, &errb)
	if code, ok := parseFlags(fs, []string{"--log.format", "json", "--log.level", "debug"}); !ok {
		t.Fatalf("parse: %d", code)
	}
	o := serveOptions{listen: "127.0.0.1:0", record: "-", logger: fs.logger()}
	lab := labOptions{nodes: 2, randomPorts: true, fast: true}
	o.source = lab.source(o.statusOut(&out, &errb))
	s, err := startServer(o, &out, &errb)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), `"type":"msg"`) {
		if time.Now().After(deadline) {
			s.Close()
			t.Fatalf("no events on stdout in 10 s; stdout %q, stderr %q", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	evs, problems, _ := protocol.ReadAll(strings.NewReader(out.String()), 10)
	if len(problems) > 0 || len(evs) < 2 || evs[0].Type != protocol.TypeHeader {
		t.Fatalf("stdout is not a clean recording: %d events, problems %v", len(evs), problems)
	}
	e := errb.String()
	if !strings.Contains(e, "gossipscope: serving http://") || !strings.Contains(e, "gossipscope: lab node n1 api ") ||
		!strings.Contains(e, "recording saved to standard output") {
		t.Errorf("stderr %q: want the status lines there", e)
	}
	jsonLines := 0
	for _, line := range strings.Split(e, "\n") {
		if strings.HasPrefix(line, "{") {
			if !json.Valid([]byte(line)) {
				t.Errorf("log line %q is not JSON", line)
			}
			jsonLines++
		}
	}
	if jsonLines == 0 {
		t.Errorf("stderr has no JSON log line: %q", e)
	}
}
