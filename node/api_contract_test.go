package node

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
)

// contractCase is one request sent alike to a real Alertmanager and to a
// node, whose status codes must agree.
type contractCase struct {
	name         string
	method, path string
	ctype        string // "" = none
	body         string
	// latest, when not 0, is the newest Alertmanager's code where it has
	// changed since v0.27 (whose code the node answers).
	latest int
}

func contractCases(now time.Time) []contractCase {
	ts := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }
	sil := func(matchers string, extra string) string {
		return `{"matchers":` + matchers + `,"startsAt":"` + ts(0) + `","endsAt":"` + ts(time.Hour) + `","createdBy":"t","comment":"c"` + extra + `}`
	}
	m := func(name, value string, isRegex bool, isEqual string) string {
		s := fmt.Sprintf(`{"name":%q,"value":%q,"isRegex":%v`, name, value, isRegex)
		if isEqual != "" {
			s += `,"isEqual":` + isEqual
		}
		return s + "}"
	}
	one := func(name, value string, isRegex bool, isEqual string) string {
		return "[" + m(name, value, isRegex, isEqual) + "]"
	}
	ok := one("alertname", "X", false, "")
	alert := func(labels string, extra string) string { return `[{"labels":` + labels + extra + `}]` }
	const j = "application/json"
	cases := []contractCase{
		{name: "silence", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(ok, "")},
		{name: "silence isEqual true", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "b", false, "true"), "")},
		{name: "silence only !=", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "b", false, "false"), "")},
		{name: "silence only =~", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "b.*", true, ""), "")},
		{name: "silence only !~", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "b.*", true, "false"), "")},
		{name: "silence only =~ .*", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", ".*", true, ""), "")},
		{name: "silence only = empty", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "", false, ""), "")},
		{name: "silence only != empty", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "", false, "false"), "")},
		{name: "silence = empty and = x", method: "POST", path: "/api/v2/silences", ctype: j, body: sil("["+m("a", "", false, "")+","+m("b", "x", false, "")+"]", "")},
		{name: "silence name a.b-c", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a.b-c", "x", false, ""), "")},
		{name: "silence name 0bad", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("0bad", "x", false, ""), "")},
		{name: "silence name été", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("été", "x", false, ""), "")},
		{name: "silence name empty", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("", "x", false, ""), "")},
		{name: "silence name with space", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a b", "x", false, ""), "")},
		{name: "silence value été", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "été", false, ""), "")},
		{name: "silence bad regex", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(one("a", "(", true, ""), "")},
		{name: "silence no matchers", method: "POST", path: "/api/v2/silences", ctype: j, body: sil("[]", "")},
		{name: "silence matchers missing", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"startsAt":"` + ts(0) + `","endsAt":"` + ts(time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence matcher without isRegex", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(`[{"name":"a","value":"b"}]`, "")},
		{name: "silence matcher without value", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(`[{"name":"a","isRegex":false}]`, "")},
		{name: "silence matcher without name", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(`[{"value":"b","isRegex":false}]`, "")},
		{name: "silence without createdBy", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(0) + `","endsAt":"` + ts(time.Hour) + `","comment":"c"}`},
		{name: "silence without comment", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(0) + `","endsAt":"` + ts(time.Hour) + `","createdBy":"t"}`},
		{name: "silence empty createdBy and comment", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(0) + `","endsAt":"` + ts(time.Hour) + `","createdBy":"","comment":""}`},
		{name: "silence without startsAt", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"endsAt":"` + ts(time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence without endsAt", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(0) + `","createdBy":"t","comment":"c"}`},
		{name: "silence start after end", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(2*time.Hour) + `","endsAt":"` + ts(time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence ends in the past", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(-2*time.Hour) + `","endsAt":"` + ts(-time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence starts in the future", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"` + ts(time.Hour) + `","endsAt":"` + ts(2*time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence time not RFC 3339", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":"yesterday","endsAt":"` + ts(time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence time a number", method: "POST", path: "/api/v2/silences", ctype: j, body: `{"matchers":` + ok + `,"startsAt":5,"endsAt":"` + ts(time.Hour) + `","createdBy":"t","comment":"c"}`},
		{name: "silence unknown id", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(ok, `,"id":"3f1a7c2e-8b5d-4e6f-9a0b-1c2d3e4f5a6b"`)},
		{name: "silence id not a uuid", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(ok, `,"id":"nope"`)},
		{name: "silence unknown field", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(ok, `,"colour":"blue"`)},
		{name: "silence matchers not an array", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(`{"a":"b"}`, "")},
		{name: "silence isRegex a string", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(`[{"name":"a","value":"b","isRegex":"no"}]`, "")},
		{name: "silence body an array", method: "POST", path: "/api/v2/silences", ctype: j, body: `[]`},
		{name: "silence body null", method: "POST", path: "/api/v2/silences", ctype: j, body: `null`},
		{name: "silence body empty", method: "POST", path: "/api/v2/silences", ctype: j, body: ``},
		{name: "silence body not JSON", method: "POST", path: "/api/v2/silences", ctype: j, body: `{`},
		{name: "silence body two values", method: "POST", path: "/api/v2/silences", ctype: j, body: sil(ok, "") + sil(ok, "")},
		{name: "silence as text/plain", method: "POST", path: "/api/v2/silences", ctype: "text/plain", body: sil(ok, "")},
		{name: "silence without content type", method: "POST", path: "/api/v2/silences", body: sil(ok, "")},
		{name: "silence as a form", method: "POST", path: "/api/v2/silences", ctype: "application/x-www-form-urlencoded", body: sil(ok, "")},
		{name: "silence as json; charset", method: "POST", path: "/api/v2/silences", ctype: "application/json; charset=utf-8", body: sil(ok, "")},
		{name: "silence bad content type", method: "POST", path: "/api/v2/silences", ctype: "application/json, text/plain", body: sil(ok, "")},

		{name: "alert", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, "")},
		{name: "alerts none", method: "POST", path: "/api/v2/alerts", ctype: j, body: `[]`},
		{name: "alert empty label value", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X","a":""}`, "")},
		{name: "alert no labels", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{}`, "")},
		{name: "alert labels missing", method: "POST", path: "/api/v2/alerts", ctype: j, body: `[{"annotations":{"a":"b"}}]`},
		{name: "alert label a.b-c", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X","a.b-c":"x"}`, "")},
		{name: "alert label 0bad", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X","0bad":"x"}`, "")},
		{name: "alert label été", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X","été":"x"}`, "")},
		{name: "alert label empty name", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X","":"x"}`, "")},
		{name: "alert label value a number", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":5}`, "")},
		{name: "alert annotation a.b", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, `,"annotations":{"a.b":"x"}`)},
		{name: "alert annotation empty value", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, `,"annotations":{"a":""}`)},
		{name: "alert ends before it starts", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, `,"startsAt":"`+ts(time.Hour)+`","endsAt":"`+ts(0)+`"`)},
		{name: "alert time not RFC 3339", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, `,"startsAt":"soon"`)},
		{name: "alert generatorURL not a URL", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, `,"generatorURL":"::nope"`)},
		{name: "alert body an object", method: "POST", path: "/api/v2/alerts", ctype: j, body: alert(`{"alertname":"X"}`, "")[1 : len(alert(`{"alertname":"X"}`, ""))-1]},
		{name: "alert body not JSON", method: "POST", path: "/api/v2/alerts", ctype: j, body: `[`},
		{name: "alert as text/plain", method: "POST", path: "/api/v2/alerts", ctype: "text/plain", body: alert(`{"alertname":"X"}`, "")},
		{name: "alert without content type", method: "POST", path: "/api/v2/alerts", body: alert(`{"alertname":"X"}`, "")},

		{name: "alerts body null", method: "POST", path: "/api/v2/alerts", ctype: j, body: `null`},
		{name: "alerts body empty", method: "POST", path: "/api/v2/alerts", ctype: j, body: ``},
		{name: "alerts: second breaks the spec, first bad", method: "POST", path: "/api/v2/alerts", ctype: j, body: `[{"labels":{}},{"annotations":{}}]`},

		{name: "status", method: "GET", path: "/api/v2/status"},
		{name: "silences", method: "GET", path: "/api/v2/silences"},
		{name: "silences filtered", method: "GET", path: `/api/v2/silences?filter=alertname%3D%22X%22`},
		{name: "silences bad filter", method: "GET", path: `/api/v2/silences?filter=%3D%3D`},
		{name: "silences filter a.b", method: "GET", path: `/api/v2/silences?filter=a.b%3D%22x%22`},
		{name: "silences filter été", method: "GET", path: `/api/v2/silences?filter=%C3%A9t%C3%A9%3D%22x%22`},
		{name: "silences filter bad regex", method: "GET", path: `/api/v2/silences?filter=x%3D~%22(%22`},
		{name: "alerts filtered", method: "GET", path: `/api/v2/alerts?filter=alertname%3D%22X%22`},
		{name: "alerts filter bad regex", method: "GET", path: `/api/v2/alerts?filter=x%3D~%22(%22`},
		{name: "silence id uppercase without dashes", method: "GET", path: "/api/v2/silence/3F1A7C2E8B5D4E6F9A0B1C2D3E4F5A6B"},
		{name: "silence unknown", method: "GET", path: "/api/v2/silence/3f1a7c2e-8b5d-4e6f-9a0b-1c2d3e4f5a6b"},
		{name: "silence id not a uuid", method: "GET", path: "/api/v2/silence/nope"},
		{name: "expire unknown silence", method: "DELETE", path: "/api/v2/silence/3f1a7c2e-8b5d-4e6f-9a0b-1c2d3e4f5a6b"},
		{name: "expire id not a uuid", method: "DELETE", path: "/api/v2/silence/nope"},
		{name: "alerts", method: "GET", path: "/api/v2/alerts"},
		{name: "alerts bad filter", method: "GET", path: `/api/v2/alerts?filter=%3D%3D`},
		{name: "alerts active not a bool", method: "GET", path: `/api/v2/alerts?active=maybe`},
		{name: "receivers", method: "GET", path: "/api/v2/receivers"},
		{name: "healthy", method: "GET", path: "/-/healthy"},
		{name: "ready", method: "GET", path: "/-/ready"},
		{name: "unknown path", method: "GET", path: "/api/v2/nope"},
		{name: "PUT silences", method: "PUT", path: "/api/v2/silences", ctype: j, body: sil(ok, "")},
		{name: "DELETE alerts", method: "DELETE", path: "/api/v2/alerts"},
	}
	return cases
}

func send(t *testing.T, base string, c contractCase) (int, string) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, base+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// The same requests to a real Alertmanager v0.27.0, to the newest one
// ($ALERTMANAGER_LATEST) and to a node: the node answers every one with
// v0.27's status code, and the newest Alertmanager differs from v0.27
// only where the table says so.
func TestAPIStatusCodesMatchAlertmanager(t *testing.T) {
	latestBin := testnet.LatestAlertmanagerBinary(t)
	am27 := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{})
	amNew := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{Binary: latestBin})
	n := startNode(t, "contract", nil, func(c *Config) { c.APIAddr = "127.0.0.1:0" })
	now := time.Now()
	var table strings.Builder
	for _, c := range contractCases(now) {
		want, wantBody := send(t, am27.API, c)
		latest, latestBody := send(t, amNew.API, c)
		got, gotBody := send(t, n.APIURL(), c)
		fmt.Fprintf(&table, "%-40s v0.27 %d  latest %d  node %d\n", c.name, want, latest, got)
		if got != want {
			t.Errorf("%s: node %d %s; Alertmanager v0.27 %d %s", c.name, got, gotBody, want, wantBody)
		}
		wantLatest := want
		if c.latest != 0 {
			wantLatest = c.latest
		}
		if latest != wantLatest {
			t.Errorf("%s: newest Alertmanager %d %s, v0.27 %d %s: update the table", c.name, latest, latestBody, want, wantBody)
		}
	}
	if t.Failed() || testing.Verbose() || os.Getenv("CONTRACT_TABLE") != "" {
		t.Logf("status codes:\n%s", table.String())
	}
}
