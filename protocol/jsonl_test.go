package protocol

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func sampleEvents() []Event {
	return []Event{
		Header("sim", map[string]any{"nodes": 3.0, "mode": "push"}),
		{Type: TypeRound, T: 0, Round: 1},
		{Type: TypeState, T: 0, Node: "n0", Key: "k", Version: 1, Value: "news"},
		{Type: TypeMsg, T: 1000, From: "n0", To: "n2", Kind: KindPush, Key: "k", Version: 1, Arrive: 1030, Bytes: 24},
		{Type: TypeMsg, T: 1000, From: "n0", To: "n1", Kind: KindPush, Key: "k", Version: 1, Lost: true},
		{Type: TypeNode, T: 1500, Node: "n1", Status: StatusDead},
		{Type: TypePartition, T: 1600, Groups: [][]string{{"n0"}, {"n1", "n2"}}},
		{Type: TypeHeal, T: 1700},
		{Type: TypeNote, T: 1800, Text: `dropped 3 events <"quoted">`},
	}
}

func TestRoundTrip(t *testing.T) {
	var b bytes.Buffer
	enc := NewEncoder(&b)
	want := sampleEvents()
	for i := range want {
		if err := enc.Encode(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != len(want) {
		t.Fatalf("got %d lines, want %d", n, len(want))
	}
	got, problems, _ := ReadAll(&b, 10)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, want)
	}
}

func TestDecoderTolerance(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"header","t":0,"version":1,"source":"sim"}`,
		`{"type":"msg","t":1,"from":"a","to":"b","future_field":{"x":[1,2]}}`, // unknown field: ignored
		`{"type":"hologram","t":2,"node":"a"}`,                                // unknown type: skipped, counted
		``,                                                                    // blank: skipped
		`{"type":"node","t":3,"node":"a","status":"sleepy"}`,                  // invalid: line error
		`{"type":"state","t":4,"node":"b","key":"k","version":2}`,
		`not json at all`,
		`{"type":"state","t":"five"}`,
		`{"t":6}`,
		`{"type":"state","t":7,"node":"c","key":"k","vers`, // truncated, no newline
	}, "\n")
	d := NewDecoder(strings.NewReader(in))
	var got []Event
	var lines []int
	for {
		ev, err := d.Next()
		if err == io.EOF {
			break
		}
		var le *LineError
		if errors.As(err, &le) {
			lines = append(lines, le.Line)
			continue
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		got = append(got, ev)
	}
	if len(got) != 3 || got[1].From != "a" || got[2].Node != "b" {
		t.Fatalf("valid events = %+v", got)
	}
	if want := []int{5, 7, 8, 9, 10}; !reflect.DeepEqual(lines, want) {
		t.Fatalf("bad lines reported = %v, want %v", lines, want)
	}
	if d.Unknown != 1 || d.Bad != 5 {
		t.Fatalf("Unknown=%d Bad=%d, want 1 and 5", d.Unknown, d.Bad)
	}
}

func TestTruncatedLastLine(t *testing.T) {
	_, problems, _ := ReadAll(strings.NewReader(`{"type":"header","t":0,"version":1}`+"\n"+`{"type":"no`), 10)
	if len(problems) != 1 || !errors.Is(problems[0], ErrTruncated) || !strings.Contains(problems[0].Error(), "line 2") {
		t.Fatalf("problems = %v, want one truncation on line 2", problems)
	}
}

func TestLongLineIsReportedAndSkipped(t *testing.T) {
	long := `{"type":"note","t":1,"text":"` + strings.Repeat("x", MaxLineBytes) + `"}`
	in := `{"type":"header","t":0,"version":1}` + "\n" + long + "\n" + `{"type":"heal","t":2}` + "\n"
	events, problems, _ := ReadAll(strings.NewReader(in), 10)
	if len(events) != 2 || events[1].Type != TypeHeal {
		t.Fatalf("events = %d, want header and heal kept", len(events))
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "line 2") {
		t.Fatalf("problems = %v", problems)
	}
}

func TestMissingHeaderAndNewerVersion(t *testing.T) {
	_, problems, _ := ReadAll(strings.NewReader(`{"type":"heal","t":2}`+"\n"), 10)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "header") {
		t.Fatalf("problems = %v, want a missing-header report", problems)
	}
	_, problems, _ = ReadAll(strings.NewReader(`{"type":"header","t":0,"version":99}`+"\n"), 10)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "newer") {
		t.Fatalf("problems = %v, want a version report", problems)
	}
}

func TestReadAllKeepsAtMostMaxErrs(t *testing.T) {
	in := strings.Repeat("garbage\n", 50)
	_, problems, d := ReadAll(strings.NewReader(in), 3)
	if len(problems) != 3 || d.Bad != 50 {
		t.Fatalf("problems=%d Bad=%d, want 3 and 50", len(problems), d.Bad)
	}
}

func TestCommandValidate(t *testing.T) {
	good := []Command{
		{Cmd: CmdSilence, Node: "n1"},
		{Cmd: CmdAlert},
		{Cmd: CmdPartition, Groups: [][]string{{"a"}, {"b", "c"}}},
		{Cmd: CmdLoss, Loss: 0.25},
		{Cmd: CmdHeal},
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []Command{
		{},
		{Cmd: "reboot-universe"},
		{Cmd: CmdCrash},
		{Cmd: CmdPartition, Groups: [][]string{{"a"}}},
		{Cmd: CmdPartition, Groups: [][]string{{"a"}, {"a"}}},
		{Cmd: CmdPartition, Groups: [][]string{{"a"}, {}}},
		{Cmd: CmdLoss, Loss: 1.5},
		{Cmd: CmdLoss, Loss: -0.1},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
}

// A recording saved by an editor that starts files with a UTF-8 byte-order
// mark keeps its header (it was a bad line before, and the stream lost it).
func TestDecoderSkipsByteOrderMark(t *testing.T) {
	in := "\xEF\xBB\xBF" + `{"type":"header","t":0,"version":1,"source":"lab"}` + "\n" + `{"type":"heal","t":1}` + "\n" + "\xEF\xBB\xBF" + `{"type":"heal","t":2}` + "\n"
	evs, problems, _ := ReadAll(strings.NewReader(in), 5)
	if len(evs) != 2 || evs[0].Type != TypeHeader || evs[0].Source != "lab" {
		t.Fatalf("events %+v, want the header then one heal", evs)
	}
	// Only the stream's start may carry one: elsewhere it is a bad line.
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "line 3") {
		t.Fatalf("problems %v, want line 3 only", problems)
	}
}

// A key given twice let the last win: {"cmd":"heal",...,"cmd":"crash"}
// crashed a node. It is refused, in any case spelling json would match.
func TestDecodeCommandRefusesDuplicateKeys(t *testing.T) {
	for _, raw := range []string{
		`{"id":"1","cmd":"heal","node":"n1","cmd":"crash"}`,
		`{"id":"1","cmd":"heal","CMD":"crash","node":"n1"}`,
		`{"id":"1","cmd":"heal","node":"n1","Node":"n2"}`,
		`{"id":"1","cmd":"partition","groups":[["a"],["b"]],"groups":[["a","b"],["c"]]}`,
		`{"id":"1","cmd":"loss","loss":0.1,"loss":1}`,
		`{"id":"1","cmd":"heal","TEXT":"x","text":"y"}`,
	} {
		c, err := DecodeCommand([]byte(raw))
		if err == nil || !strings.Contains(err.Error(), "given twice") {
			t.Errorf("%s: %+v, %v; want a duplicate key refused", raw, c, err)
		}
		if c.ID != "1" {
			t.Errorf("%s: id %q not kept for the reply", raw, c.ID)
		}
	}
	for _, raw := range []string{
		`{"id":"1","cmd":"partition","groups":[["a","a2"],["b"]]}`,
		`{"id":"1","cmd":"heal","extra":{"cmd":"x"}}`, // the same key in another object
	} {
		if _, err := DecodeCommand([]byte(raw)); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if _, err := DecodeCommand([]byte(`{"cmd":"heal"} {"cmd":"crash"}`)); err == nil {
		t.Error("two values accepted")
	}
}
