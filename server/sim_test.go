package server

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/engine"
	"github.com/gossipscope/gossipscope/protocol"
)

func runSimCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(append([]string{"sim"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSimSummary(t *testing.T) {
	code, out, errs := runSimCmd(t, "--nodes", "1000", "--mode", "pushpull", "--peers", "random",
		"--fanout", "1", "--trials", "30", "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s simSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.Trials != 30 || s.Converged != 30 || s.Seeds != [2]uint64{7, 36} || s.Rounds100.N != 30 {
		t.Fatalf("%+v", s)
	}
	// Figures are rounded for reading: no 4049.999999999999.
	if long := regexp.MustCompile(`\d\.\d{5,}`).FindString(out); long != "" {
		t.Fatalf("unrounded figure %s in\n%s", long, out)
	}
	r := s.Rounds100
	if r.Min > r.Mean || r.Mean > r.Max || r.Min < 5 || r.Max > 20 {
		t.Fatalf("rounds to 100%%: %+v", r)
	}
	// PUSH-PULL, one exchange per node per round: 3 messages per node per round.
	if m := s.Messages.Mean; m < 3*1000*r.Min || m > 3*1000*r.Max {
		t.Fatalf("messages %v for rounds %+v", m, r)
	}
	// The summary's scenario reproduces the run: same numbers through --scenario.
	code, out2, errs := runSimCmd(t, "--scenario", "http://127.0.0.1:8080/?"+s.Scenario, "--trials", "30")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s2 simSummary
	json.Unmarshal([]byte(out2), &s2)
	if s2.Rounds100 != s.Rounds100 || s2.Messages != s.Messages || s2.Scenario != s.Scenario {
		t.Fatalf("--scenario did not reproduce:\n%+v\n%+v", s, s2)
	}
}

func TestSimFlagsOverrideScenario(t *testing.T) {
	code, out, errs := runSimCmd(t, "--scenario", "nodes=50&mode=pull&seed=3", "--nodes", "80", "--crash", "1500:60")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s simSummary
	json.Unmarshal([]byte(out), &s)
	if s.Params["nodes"] != 80.0 || s.Params["mode"] != "pull" || s.Params["seed"] != 3.0 ||
		s.Params["schedule"] != "crash@1500:60" {
		t.Fatalf("%v", s.Params)
	}
}

func TestSimEventsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) []byte {
		path := filepath.Join(dir, name)
		code, _, errs := runSimCmd(t, "--nodes", "40", "--async", "--latency", "10,90", "--loss", "0.1",
			"--crash", "1500:3", "--partition", "2000:5000", "--join", "3000:2", "--update", "4000:5",
			"--events", path, "--seed", "11")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := write("a.jsonl"), write("b.jsonl")
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed wrote different event files")
	}
	evs, problems, _ := protocol.ReadAll(bytes.NewReader(a), 10)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if evs[0].Type != protocol.TypeHeader || evs[0].Source != "sim" {
		t.Fatalf("first event %+v", evs[0])
	}
	seen := map[protocol.Type]int{}
	for _, e := range evs {
		seen[e.Type]++
	}
	for _, typ := range []protocol.Type{protocol.TypeNode, protocol.TypeMsg, protocol.TypeState,
		protocol.TypeRound, protocol.TypePartition, protocol.TypeHeal} {
		if seen[typ] == 0 {
			t.Errorf("no %s events: %v", typ, seen)
		}
	}
	// Replaying the stream's schedule from the header gives the same run.
	if evs[0].Params["schedule"] != "crash@1500:3 join@3000:2 update@4000:5 partition@2000:0-19 heal@5000" {
		t.Fatalf("schedule in header: %v", evs[0].Params["schedule"])
	}
	st, err := engine.Run(engine.Config{Nodes: 40, Seed: 11, Async: true, LatencyMin: 10, LatencyMax: 90, Loss: 0.1,
		Schedule: []engine.Action{{At: 1500, Kind: "crash", Node: 3}, {At: 3000, Kind: "join", Count: 2},
			{At: 4000, Kind: "update", Node: 5}, {At: 2000, Kind: "partition", Groups: [][]int{seq(0, 19)}}, {At: 5000, Kind: "heal"}}})
	if err != nil {
		t.Fatal(err)
	}
	if msgs := seen[protocol.TypeMsg]; int64(msgs) != st.Sent {
		t.Fatalf("file has %d messages, the same scenario sends %d", msgs, st.Sent)
	}
}

// TestSimEventsToStdout: "--events -" pipes the stream, so the summary
// moves to stderr and no file named "-" appears.
func TestSimEventsToStdout(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errs := runSimCmd(t, "--nodes", "6", "--events", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	evs, problems, _ := protocol.ReadAll(strings.NewReader(out), 10)
	if len(problems) > 0 || len(evs) < 6 || evs[0].Type != protocol.TypeHeader {
		t.Fatalf("stdout is not the event stream: %d events, problems %v", len(evs), problems)
	}
	var sum struct{ Converged int }
	if err := json.Unmarshal([]byte(errs), &sum); err != nil || sum.Converged != 1 {
		t.Fatalf("stderr is not the summary (%v): %q", err, errs)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Fatal(`a file named "-" was written`)
	}
}

func seq(a, b int) []int {
	var s []int
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

func TestSimBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "shout"}, "mode"},
		{[]string{"--latency", "5,1"}, "latency"},
		{[]string{"--latency", "soon"}, "latency"},
		{[]string{"--nodes", "0"}, "nodes"},
		{[]string{"--loss", "2"}, "loss"},
		{[]string{"--mode", "pull", "--stop", "limit"}, "push mode only"},
		{[]string{"--crash", "x"}, "crash"},
		{[]string{"--nodes", "10", "--crash", "5:30"}, "node 30 does not exist"},
		{[]string{"--partition", "9:1"}, "partition"},
		{[]string{"--do", "explode@1"}, "unknown kind"},
		{[]string{"--trials", "0"}, "trials"},
		{[]string{"--scenario", "nodes=abc"}, "nodes"},
		{[]string{"--bogus"}, "bogus"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		code, out, errs := runSimCmd(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	code, _, errs := runSimCmd(t, "--nodes", "10", "--events", filepath.Join(t.TempDir(), "no", "such", "dir", "x.jsonl"))
	if code != 1 || !strings.Contains(errs, "--events") {
		t.Errorf("unwritable --events: exit %d, %q", code, errs)
	}
}

func TestTidy(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{4049.999999999999, 4050}, {8.666666666666666, 8.667}, {2.0 / 3, 0.667}, {0.05951, 0.0595},
		{0.2032, 0.203}, {0.000123456, 0.000123}, {-1.23456, -1.235}, {0, 0}, {12, 12}, {1e-20, 1e-20},
	} {
		if got := tidy(c.in); got != c.want {
			t.Errorf("tidy(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	// The mean of equal counts is the count.
	var s spread
	for i := 0; i < 30; i++ {
		s.add(4050)
	}
	b, _ := json.Marshal(s)
	if string(b) != `{"mean":4050,"min":4050,"max":4050,"n":30}` {
		t.Errorf("%s", b)
	}
}

// sim --plan: the table's three rows in order and Serf's figures beside
// them; --json carries the bands and the curve; bad settings are named.
func TestSimPlan(t *testing.T) {
	code, out, errs := runSimCmd(t, "--plan", "--nodes", "5000", "--trials", "300", "--loss", "0.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"5000 nodes (0 failed)", "each news sent 16 times", "300 exact trials (count-level chain)", "50%", "99%", "100%", "Serf's formula", "(99.99%)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	code, out, errs = runSimCmd(t, "--plan", "--nodes", "5000", "--trials", "300", "--json", "--gossip-interval", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res engine.PlanResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Config.Interval != 100 || res.Config.Trials != 300 || res.T50.Reached != 300 ||
		res.T50.P50 <= 0 || res.T50.P50 > res.T99.P50 || len(res.Curve) < 5 || res.Theory.T50 <= 0 {
		t.Fatalf("%+v", res)
	}
	code, _, errs = runSimCmd(t, "--plan", "--nodes", "1", "--gossip-nodes", "0", "--loss", "2")
	if code != 2 || !strings.Contains(errs, "nodes: 1") || !strings.Contains(errs, "gossip nodes: 0") || !strings.Contains(errs, "packet loss: 2") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// One trial of the classic model at scale runs on every core and reports
// no received_max it did not count.
func TestSimClassicOneTrial(t *testing.T) {
	code, out, errs := runSimCmd(t, "--nodes", "200000", "--mode", "pushpull", "--peers", "random", "--stop", "never", "--trials", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var s simSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Converged != 1 || s.Messages.Mean != 3*3*200000*s.Rounds100.Mean || s.ReceivedMax.N != 0 {
		t.Fatalf("%s", out)
	}
}
