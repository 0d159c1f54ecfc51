package node

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Any web page the user visits can POST a form or text/plain body to a
// loopback API without asking (a "simple" cross-site request), and so
// silence the user's real cluster through a node. The API, on its real
// socket, answers 415 to anything but application/json, as Alertmanager
// does, and creates nothing.
func TestAPIRefusesCrossSiteBodies(t *testing.T) {
	n := startNode(t, "guard", nil, func(c *Config) { c.APIAddr = "127.0.0.1:0" })
	now := time.Now().UTC()
	silence := `{"matchers":[{"name":"alertname","value":"X","isRegex":false}],"startsAt":"` + now.Format(time.RFC3339) +
		`","endsAt":"` + now.Add(time.Hour).Format(time.RFC3339) + `","createdBy":"page","comment":"cross-site"}`
	alerts := `[{"labels":{"alertname":"X"}}]`
	for _, ct := range []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"} {
		for path, body := range map[string]string{"/api/v2/silences": silence, "/api/v2/alerts": alerts} {
			req, _ := http.NewRequest("POST", n.APIURL()+path, strings.NewReader(body))
			if ct == "" {
				req.Header["Content-Type"] = nil
			} else {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(b), "only [application/json] are allowed") {
				t.Errorf("POST %s as %q: %d %s, want 415", path, ct, resp.StatusCode, b)
			}
		}
	}
	if got := n.sil.List(); len(got) != 0 {
		t.Fatalf("silences created by refused requests: %v", got)
	}
	if got := n.disp.List(); len(got) != 0 {
		t.Fatalf("alerts taken from refused requests: %v", got)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		if code, body := callAs(t, "POST", n.APIURL()+"/api/v2/silences", ct, silence); code != http.StatusOK {
			t.Errorf("POST silence as %q: %d %s, want 200", ct, code, body)
		}
	}
}

// A DNS-rebound name (Host: evil.example) is refused on every API path;
// the address, localhost and Config.AllowedHosts are answered.
func TestAPIRefusesRebindingHost(t *testing.T) {
	n := startNode(t, "host", nil, func(c *Config) {
		c.APIAddr = "127.0.0.1:0"
		c.AllowedHosts = []string{"am.example"}
	})
	port := n.APIURL()[strings.LastIndex(n.APIURL(), ":")+1:]
	for host, want := range map[string]int{"evil.example:" + port: 403, "127.0.0.1:" + port: 200, "localhost:" + port: 200, "am.example:" + port: 200} {
		for _, path := range []string{"/api/v2/status", "/api/v2/silences", "/-/ready"} {
			req, _ := http.NewRequest("GET", n.APIURL()+path, nil)
			req.Host = host
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s with Host %s: %d, want %d", path, host, resp.StatusCode, want)
			}
		}
	}
	req, _ := http.NewRequest("POST", n.APIURL()+"/api/v2/silences", strings.NewReader(`{}`))
	req.Host, req.Header["Content-Type"] = "evil.example:"+port, []string{"application/json"}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("POST silence with Host evil.example: %d, want 403", resp.StatusCode)
	}
	if _, err := New(func() Config { c := FastConfig(); c.AllowedHosts = []string{"*"}; return c }()); err == nil {
		t.Error("AllowedHosts '*' accepted")
	}
}

func callAs(t *testing.T, method, url, ctype, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
