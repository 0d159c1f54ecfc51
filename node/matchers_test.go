package node

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gossipscope/gossipscope/internal/testnet"
)

// The v2 API's filters are read as a real Alertmanager v0.27 reads them
// (its two matcher parsers): for each filter, a node and the real binary,
// holding the same silences, answer with the same status and select the
// same silences. Quoting, escapes, braces, spaces and UTF-8 names included.
func TestFiltersSelectAsAlertmanager(t *testing.T) {
	am := testnet.StartAlertmanager(t, testnet.AlertmanagerConfig{})
	n := startNode(t, "n1", nil, func(c *Config) { c.APIAddr = "127.0.0.1:0" })
	now := time.Now()
	ts := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }
	for i, m := range [][2]string{
		{"alertname", "X"}, {"alertname", "Y"}, {"alertname", `a"b`}, {"été", "x"},
		{"alertname", `back\slash`}, {"alertname", "with space"}, {"alertname", "a,b"}, {"job", "api-1"},
	} {
		body := fmt.Sprintf(`{"matchers":[{"name":%q,"value":%q,"isRegex":false}],"startsAt":%q,"endsAt":%q,"createdBy":"t","comment":"s%d"}`,
			m[0], m[1], ts(0), ts(time.Hour), i)
		for _, base := range []string{am.API, n.APIURL()} {
			resp, err := http.Post(base+"/api/v2/silences", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%s: silence %v: %s", base, m, resp.Status)
			}
		}
	}
	selected := func(base, filter string) (int, []string) {
		resp, err := http.Get(base + "/api/v2/silences?filter=" + url.QueryEscape(filter))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sils []struct{ Comment string }
		if resp.StatusCode == 200 {
			if err := json.NewDecoder(resp.Body).Decode(&sils); err != nil {
				t.Fatal(err)
			}
		}
		var out []string
		for _, s := range sils {
			out = append(out, s.Comment)
		}
		slices.Sort(out)
		return resp.StatusCode, out
	}
	for _, f := range []string{
		`alertname=X`, `alertname="X"`, `alertname = X `, `alertname=~"X|Y"`, `alertname=~X|Y`, `alertname!=X`,
		`alertname!~"X|Y"`, `{alertname="X"}`, `alertname="X"}`, `alertname="a\"b"`, `alertname=a"b`,
		`été="x"`, `"été"="x"`, `alertname="back\\slash"`, `alertname=back\slash`, `alertname="with space"`,
		`alertname=with space`, `alertname="a,b"`, `alertname=a,b`, `job=~"api-.*"`, `job=~api-.*`,
		`alertname=`, `=X`, `alertname=~"("`, `alertname=="X"`, `alertname="X",job="y"`, `alertname="X`,
		`alertname=~".*"`, `0bad="x"`, `a.b="x"`,
	} {
		wc, want := selected(am.API, f)
		gc, got := selected(n.APIURL(), f)
		if gc != wc || !slices.Equal(got, want) {
			t.Errorf("filter %s: node %d %v, Alertmanager %d %v", f, gc, got, wc, want)
		}
	}
}
