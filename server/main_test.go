package server

import (
	"bytes"
	"strings"
	"testing"
)

func TestDispatchUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if e := errb.String(); !strings.Contains(e, `unknown command "frobnicate"`) || !strings.HasSuffix(e, "try --help\n") || strings.Count(e, "\n") != 1 {
		t.Fatalf("stderr = %q, want one line naming the unknown command and ending \"try --help\"", e)
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, args := range [][]string{{"serve", "--no-such-flag"}, {"serve", "--lab", "-3"}, {"serve", "stray"}} {
		var out, errb bytes.Buffer
		if code := dispatch(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit code %d, want 2 (stderr %q)", args, code, errb.String())
		}
		if errb.Len() == 0 {
			t.Errorf("%v: no message on stderr", args)
		}
	}
}
