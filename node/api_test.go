package node

import (
	"encoding/json"
	"github.com/gossipscope/gossipscope/silence"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func apiServer(t *testing.T) (*Node, string) {
	n := startNode(t, "api", nil, func(c *Config) { c.APIAddr = "" })
	srv := httptest.NewServer(n.Handler())
	t.Cleanup(srv.Close)
	return n, srv.URL
}

func rawCall(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	return callAs(t, method, url, "application/json", body)
}

// Bad input gets a 4xx with a message saying what is wrong, and changes
// nothing.
func TestAPIRejectsBadInput(t *testing.T) {
	t.Parallel()
	n, url := apiServer(t)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	m := `[{"name":"alertname","value":"X","isRegex":false}]`
	who := `"createdBy":"t","comment":"c"`
	for _, tc := range []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"POST", "/api/v2/silences", `{`, 400, "parsing silence body"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,"createdBy":"t","comment":"c"}`, 422, "endsAt in body is required"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,"endsAt":"` + future + `","createdBy":"t","comment":"c"}`, 422, "startsAt in body is required"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,"startsAt":"` + past + `","endsAt":"` + future + `","comment":"c"}`, 422, "createdBy in body is required"},
		{"POST", "/api/v2/silences", `{"matchers":[],` + who + `,"startsAt":"` + past + `","endsAt":"` + future + `"}`, 422, "at least 1 items"},
		{"POST", "/api/v2/silences", `{"matchers":[{"name":"a","value":"b"}],` + who + `,"startsAt":"` + past + `","endsAt":"` + future + `"}`, 422, "matchers.0.isRegex in body is required"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,` + who + `,"startsAt":"` + future + `","endsAt":"` + past + `"}`, 400, "start time must be before end time"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,` + who + `,"startsAt":"` + past + `","endsAt":"` + past + `"}`, 400, "start time must be before end time"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,` + who + `,"startsAt":"yesterday","endsAt":"` + future + `"}`, 400, "not RFC 3339"},
		{"POST", "/api/v2/silences", `{"matchers":[{"name":"a","value":"(","isRegex":true}],` + who + `,"startsAt":"` + past + `","endsAt":"` + future + `"}`, 400, "invalid regular expression"},
		{"POST", "/api/v2/silences", `{"matchers":[{"name":"a","value":"","isRegex":false}],` + who + `,"startsAt":"` + past + `","endsAt":"` + future + `"}`, 400, "must not match the empty string"},
		{"POST", "/api/v2/silences", `{"matchers":[{"name":"","value":"x","isRegex":false}],` + who + `,"startsAt":"` + past + `","endsAt":"` + future + `"}`, 400, "invalid label name"},
		{"POST", "/api/v2/silences", `{"id":"nope","matchers":` + m + `,` + who + `,"startsAt":"` + past + `","endsAt":"` + future + `"}`, 404, "not found"},
		{"POST", "/api/v2/silences", `{"matchers":` + m + `,"comment":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, "larger than"},
		{"POST", "/api/v2/silences", ``, 422, "silence in body is required"},
		{"GET", "/api/v2/silence/nope", "", 422, "must be of type uuid"},
		{"DELETE", "/api/v2/silence/nope", "", 422, "must be of type uuid"},
		{"GET", "/api/v2/silence/3f1a7c2e-8b5d-4e6f-9a0b-1c2d3e4f5a6b", "", 404, "not found"},
		{"DELETE", "/api/v2/silence/3f1a7c2e-8b5d-4e6f-9a0b-1c2d3e4f5a6b", "", 404, "not found"},
		{"GET", "/api/v2/silences?filter=%3D%3D", "", 400, "bad matcher"},
		{"GET", "/api/v2/alerts?filter=%3D%3D", "", 400, "bad matcher"},
		{"POST", "/api/v2/alerts", `{"labels":{}}`, 400, "parsing alerts body"},
		{"POST", "/api/v2/alerts", `[{"labels":{}}]`, 400, "at least one label pair"},
		{"POST", "/api/v2/alerts", `[{"annotations":{}}]`, 422, "0.labels in body is required"},
		{"POST", "/api/v2/alerts", `[{"labels":{"":"x"}}]`, 400, "invalid label name"},
		{"POST", "/api/v2/alerts", `[{"labels":{"a":"b"},"generatorURL":"::x"}]`, 422, "must be of type uri"},
		{"POST", "/api/v2/alerts", `[{"labels":{"a":"b"},"startsAt":"` + future + `","endsAt":"` + past + `"}]`, 400, "start time must be before end time"},
	} {
		code, body := rawCall(t, tc.method, url+tc.path, tc.body)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s %.60q: %d %q; want %d and %q", tc.method, tc.path, tc.body, code, body, tc.code, tc.want)
		}
	}
	if len(n.Silences()) != 0 || len(n.disp.List()) != 0 {
		t.Fatalf("rejected requests changed state: %d silences, %d alerts", len(n.Silences()), len(n.disp.List()))
	}
}

func TestAPISilenceLifecycleAndStatus(t *testing.T) {
	t.Parallel()
	n, url := apiServer(t)
	id := postSilence(t, url, "Disk", "first")
	id2 := postSilence(t, url, "CPU", "second")
	var sils []apiSilence
	call(t, "GET", url+`/api/v2/silences?filter=alertname%3D%22Disk%22`, nil, &sils)
	if len(sils) != 1 || sils[0].ID != id || sils[0].Status.State != "active" || *sils[0].Comment != "first" {
		t.Fatalf("filtered list: %+v", sils)
	}
	// Update in place (same matchers), as amtool silence update does.
	var got apiSilence
	call(t, "GET", url+"/api/v2/silence/"+id, nil, &got)
	c := "edited"
	got.Comment = &c
	got.Status, got.UpdatedAt = nil, nil
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	if code := call(t, "POST", url+"/api/v2/silences", got, &out); code != 200 || out.SilenceID != id {
		t.Fatalf("update: %d %q", code, out.SilenceID)
	}
	if code := call(t, "DELETE", url+"/api/v2/silence/"+id2, nil, nil); code != 200 {
		t.Fatalf("expire: %d", code)
	}
	call(t, "GET", url+"/api/v2/silence/"+id2, nil, &got)
	if got.Status.State != "expired" {
		t.Fatalf("expired silence state %q", got.Status.State)
	}
	var st struct {
		Cluster struct {
			Name   string       `json:"name"`
			Status string       `json:"status"`
			Peers  []peerStatus `json:"peers"`
		} `json:"cluster"`
		VersionInfo map[string]string `json:"versionInfo"`
	}
	call(t, "GET", url+"/api/v2/status", nil, &st)
	if st.Cluster.Name != "api" || st.Cluster.Status != "ready" || len(st.Cluster.Peers) != 1 ||
		st.Cluster.Peers[0].Address != n.Addr() || st.VersionInfo["version"] != apiVersion {
		t.Fatalf("status %+v", st)
	}
}

// amtool v0.27 (next to $ALERTMANAGER, or $AMTOOL) drives our API as the
// seed does: add a silence on one node, query it on another.
func TestAmtoolAgainstNodes(t *testing.T) {
	t.Parallel()
	amtool := os.Getenv("AMTOOL")
	if amtool == "" && os.Getenv("ALERTMANAGER") != "" {
		amtool = filepath.Join(filepath.Dir(os.Getenv("ALERTMANAGER")), "amtool")
	}
	if _, err := os.Stat(amtool); amtool == "" || err != nil {
		t.Skip("no amtool (set AMTOOL, or put it next to $ALERTMANAGER)")
	}
	a := startNode(t, "a", nil, nil)
	b := startNode(t, "b", []string{a.Addr()}, nil)
	eventually(t, 5*time.Second, "join", func() bool { return len(b.Members()) == 2 })
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(amtool, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("amtool %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	id := strings.TrimSpace(run("--alertmanager.url="+a.APIURL(), "silence", "add", "alertname=InstanceDown", "-c", "via amtool", "-a", "seed"))
	eventually(t, 5*time.Second, "amtool sees the silence on b", func() bool {
		return strings.Contains(run("--alertmanager.url="+b.APIURL(), "silence", "query", "-q"), id)
	})
	if out := run("--alertmanager.url="+b.APIURL(), "cluster", "show"); !strings.Contains(out, "a") || !strings.Contains(out, "b") {
		t.Fatalf("amtool cluster show: %s", out)
	}
	run("--alertmanager.url="+b.APIURL(), "silence", "expire", id)
	eventually(t, 5*time.Second, "the expiry on a", func() bool {
		s, ok := a.sil.Get(id)
		return ok && silence.CalcState(s, time.Now()) == "expired"
	})
	var alerts []json.RawMessage
	run("--alertmanager.url="+a.APIURL(), "alert", "add", "alertname=Test", "severity=page")
	call(t, "GET", a.APIURL()+"/api/v2/alerts", nil, &alerts)
	if len(alerts) != 1 {
		t.Fatalf("amtool alert add: %d alerts", len(alerts))
	}
}
