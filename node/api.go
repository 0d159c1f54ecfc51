package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gossipscope/gossipscope/internal/buildinfo"
	"github.com/gossipscope/gossipscope/internal/webguard"
	"github.com/gossipscope/gossipscope/notify"
	"github.com/gossipscope/gossipscope/silence"
	amparse "github.com/prometheus/alertmanager/matchers/parse"
	"github.com/prometheus/alertmanager/pkg/labels"
	pb "github.com/prometheus/alertmanager/silence/silencepb"
)

// maxBodyBytes bounds one API request body.
const maxBodyBytes = 1 << 20

// apiVersion is what /api/v2/status reports, so that amtool v0.27 does not
// warn about a version mismatch.
const apiVersion = "0.27.0"

// newAPI serves the subset of Alertmanager's v2 API that amtool and the
// walkthrough of docs/gossip-rules.md uses: status, silences (list, get, create or update,
// expire), alerts (post, list), receivers, and the health endpoints.
// Errors are JSON strings with status 400 or 404, as Alertmanager's.
// Requests whose Host is not the API's address, an IP, localhost or one of
// Config.AllowedHosts get 403 (DNS rebinding), and bodies that are not
// JSON get 415 (see decodeBody): either would let any web page the user
// visits silence the user's real cluster.
func newAPI(n *Node) http.Handler {
	a := &api{n: n}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/status", a.status)
	mux.HandleFunc("GET /api/v2/silences", a.listSilences)
	mux.HandleFunc("POST /api/v2/silences", a.postSilence)
	mux.HandleFunc("GET /api/v2/silence/{id}", a.getSilence)
	mux.HandleFunc("DELETE /api/v2/silence/{id}", a.deleteSilence)
	mux.HandleFunc("GET /api/v2/alerts", a.listAlerts)
	mux.HandleFunc("POST /api/v2/alerts", a.postAlerts)
	mux.HandleFunc("GET /api/v2/receivers", a.receivers)
	ok := func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "OK") }
	mux.HandleFunc("GET /-/healthy", ok)
	mux.HandleFunc("GET /-/ready", ok)
	mux.Handle("GET /metrics", metricsHandler(n))
	hosts, _ := webguard.NewHosts(n.cfg.APIAddr, n.cfg.AllowedHosts) // checked by Config.Validate
	return hosts.Handler("--web.allowed-hosts", mux)
}

type api struct{ n *Node }

// apiTime marshals as go-openapi's strfmt.DateTime (RFC 3339, ms, UTC).
type apiTime time.Time

func (t apiTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

func (t *apiTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time must be a string")
	}
	if s == "" {
		*t = apiTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time %q is not RFC 3339", s)
	}
	*t = apiTime(v)
	return nil
}

type apiMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"`
}

type apiSilence struct {
	ID        string            `json:"id,omitempty"`
	Status    *apiSilenceStatus `json:"status,omitempty"`
	UpdatedAt *apiTime          `json:"updatedAt,omitempty"`
	Matchers  []apiMatcher      `json:"matchers"`
	StartsAt  *apiTime          `json:"startsAt"`
	EndsAt    *apiTime          `json:"endsAt"`
	CreatedBy *string           `json:"createdBy"`
	Comment   *string           `json:"comment"`
}

type apiSilenceStatus struct {
	State string `json:"state"`
}

type peerStatus struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers with Alertmanager's error shape: a JSON string.
func fail(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, fmt.Sprintf(format, args...))
}

func (a *api) status(w http.ResponseWriter, _ *http.Request) {
	n := a.n
	peers := []peerStatus{}
	for _, name := range n.Members() {
		addr, _ := n.peer.Membership().AddrOf(name)
		peers = append(peers, peerStatus{Name: name, Address: addr})
	}
	v := func(s string) *string { return &s }
	// version stays Alertmanager's (amtool compares it); the rest says
	// which gossipscope this is.
	bi := buildinfo.Get()
	writeJSON(w, http.StatusOK, map[string]any{
		"cluster": map[string]any{"name": n.cfg.Name, "status": "ready", "peers": peers},
		"config":  map[string]any{"original": a.configYAML()},
		"uptime":  apiTime(n.started),
		"versionInfo": map[string]*string{
			"branch": v("gossipscope " + bi.Version), "buildDate": v(bi.BuildDate), "buildUser": v("gossipscope"),
			"goVersion": v(bi.GoVersion), "revision": v(bi.Revision), "version": v(apiVersion),
		},
	})
}

// configYAML describes the node's route and receiver in Alertmanager's
// configuration language, for /api/v2/status.
func (a *api) configYAML() string {
	c := a.n.cfg
	var b strings.Builder
	fmt.Fprintf(&b, "route:\n  receiver: %s\n  group_by: [%s]\n  group_wait: %s\n  group_interval: %s\n  repeat_interval: %s\n",
		c.Receiver, strings.Join(c.GroupBy, ", "), c.GroupWait, c.GroupInterval, c.RepeatInterval)
	fmt.Fprintf(&b, "receivers:\n- name: %s\n", c.Receiver)
	if c.Webhook != "" {
		fmt.Fprintf(&b, "  webhook_configs:\n  - url: %s\n    send_resolved: false\n", strconv.Quote(c.Webhook))
	}
	return b.String()
}

func toAPISilence(s *pb.Silence, now time.Time) apiSilence {
	out := apiSilence{ID: s.Id, Status: &apiSilenceStatus{silence.CalcState(s, now)}, Matchers: []apiMatcher{}}
	up, st, end := apiTime(s.UpdatedAt), apiTime(s.StartsAt), apiTime(s.EndsAt)
	out.UpdatedAt, out.StartsAt, out.EndsAt = &up, &st, &end
	by, comment := s.CreatedBy, s.Comment
	out.CreatedBy, out.Comment = &by, &comment
	for _, m := range s.Matchers {
		eq := m.Type == pb.Matcher_EQUAL || m.Type == pb.Matcher_REGEXP
		out.Matchers = append(out.Matchers, apiMatcher{
			Name: m.Name, Value: m.Pattern, IsEqual: &eq,
			IsRegex: m.Type == pb.Matcher_REGEXP || m.Type == pb.Matcher_NOT_REGEXP,
		})
	}
	return out
}

func matcherType(isRegex bool, isEqual *bool) pb.Matcher_Type {
	eq := isEqual == nil || *isEqual
	switch {
	case isRegex && eq:
		return pb.Matcher_REGEXP
	case isRegex:
		return pb.Matcher_NOT_REGEXP
	case eq:
		return pb.Matcher_EQUAL
	}
	return pb.Matcher_NOT_EQUAL
}

// parseFilter reads one filter matcher like alertname="x" or job=~"a.*"
// as Alertmanager v0.27's API does by default (its matchers/compat
// "fallback" mode, here without its logging): with both of Alertmanager's
// own parsers, the UTF-8 one (matchers/parse) and the classic one
// (pkg/labels); the classic result wins when only it accepts the input or
// when the two disagree. So quoting, escapes and UTF-8 names are read
// exactly as Alertmanager reads them.
func parseFilter(s string) (*pb.Matcher, error) {
	if strings.HasPrefix(s, "{") || strings.HasSuffix(s, "}") {
		return nil, fmt.Errorf("unexpected open or close brace: %s", s)
	}
	m, err := amparse.Matcher(s)
	c, cErr := labels.ParseMatcher(s)
	switch {
	case err != nil && cErr != nil:
		return nil, cErr
	case err != nil, cErr == nil && !reflect.DeepEqual(m, c):
		m = c
	}
	t := map[labels.MatchType]pb.Matcher_Type{labels.MatchEqual: pb.Matcher_EQUAL, labels.MatchNotEqual: pb.Matcher_NOT_EQUAL,
		labels.MatchRegexp: pb.Matcher_REGEXP, labels.MatchNotRegexp: pb.Matcher_NOT_REGEXP}[m.Type]
	pm := &pb.Matcher{Name: m.Name, Type: t, Pattern: m.Value}
	if err := silence.ValidateMatcher(pm); err != nil {
		return nil, err
	}
	return pm, nil
}

// parseFilters reads the request's filter parameters, answering 400 for
// a bad one.
func parseFilters(w http.ResponseWriter, r *http.Request) ([]*pb.Matcher, bool) {
	var filters []*pb.Matcher
	for _, f := range r.URL.Query()["filter"] {
		m, err := parseFilter(f)
		if err != nil {
			fail(w, http.StatusBadRequest, "%v", err)
			return nil, false
		}
		filters = append(filters, m)
	}
	return filters, true
}

func (a *api) listSilences(w http.ResponseWriter, r *http.Request) {
	filters, ok := parseFilters(w, r)
	if !ok {
		return
	}
	now := time.Now()
	out := []apiSilence{}
next:
	for _, s := range a.n.sil.List() {
		// As the API's checkSilenceMatchesFilterLabels: every filter must be
		// one of the silence's matchers.
		for _, f := range filters {
			found := false
			for _, m := range s.Matchers {
				found = found || (m.Name == f.Name && m.Type == f.Type && m.Pattern == f.Pattern)
			}
			if !found {
				continue next
			}
		}
		out = append(out, toAPISilence(s, now))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) getSilence(w http.ResponseWriter, r *http.Request) {
	if !specOK(w, silenceIDError(r.PathValue("id"))) {
		return
	}
	s, ok := a.n.sil.Get(r.PathValue("id"))
	if !ok {
		fail(w, http.StatusNotFound, "silence %q not found", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, toAPISilence(s, time.Now()))
}

func (a *api) deleteSilence(w http.ResponseWriter, r *http.Request) {
	if !specOK(w, silenceIDError(r.PathValue("id"))) {
		return
	}
	switch err := a.n.sil.Expire(r.PathValue("id")); {
	case errors.Is(err, silence.ErrNotFound):
		fail(w, http.StatusNotFound, "silence %q not found", r.PathValue("id"))
	case err != nil:
		fail(w, http.StatusInternalServerError, "%v", err)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func (a *api) postSilence(w http.ResponseWriter, r *http.Request) {
	var in postableSilence
	if !decodeBody(w, r, "silence", &in) || !specOK(w, in.specError()) {
		return
	}
	sil := &pb.Silence{Id: in.ID, StartsAt: time.Time(*in.StartsAt).UTC(), EndsAt: time.Time(*in.EndsAt).UTC(),
		CreatedBy: *in.CreatedBy, Comment: *in.Comment}
	for _, m := range in.Matchers {
		sil.Matchers = append(sil.Matchers, &pb.Matcher{Name: *m.Name, Pattern: *m.Value, Type: matcherType(*m.IsRegex, m.IsEqual)})
	}
	// The same checks and messages as the v2 API's postSilencesHandler.
	if !sil.StartsAt.Before(sil.EndsAt) {
		fail(w, http.StatusBadRequest, "failed to create silence: start time must be before end time")
		return
	}
	if sil.EndsAt.Before(time.Now()) {
		fail(w, http.StatusBadRequest, "failed to create silence: end time can't be in the past")
		return
	}
	id, err := a.n.sil.Set(sil)
	switch {
	case errors.Is(err, silence.ErrNotFound):
		fail(w, http.StatusNotFound, "silence %q not found", in.ID)
	case err != nil:
		fail(w, http.StatusBadRequest, "failed to create silence: %v", err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"silenceID": id})
	}
}

type apiAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     apiTime           `json:"startsAt"`
	EndsAt       apiTime           `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
}

// validateLabels follows Alertmanager v0.27's validateLs (types.go): names
// as silence.ValidLabelName, values UTF-8.
func validateLabels(ls map[string]string, what string) error {
	for k, v := range ls {
		if !silence.ValidLabelName(k) {
			return fmt.Errorf("invalid %s name %q", what, k)
		}
		if !utf8.ValidString(v) {
			return fmt.Errorf("invalid %s value %q", what, v)
		}
	}
	return nil
}

func (a *api) postAlerts(w http.ResponseWriter, r *http.Request) {
	var in []apiAlert
	if !decodeBody(w, r, "alerts", &in) || !specOK(w, alertsSpecError(in)) {
		return
	}
	now := time.Now()
	alerts := make([]*notify.Alert, 0, len(in))
	for i, x := range in {
		if len(x.Labels) == 0 {
			fail(w, http.StatusBadRequest, "alert %d: at least one label pair required", i)
			return
		}
		if err := validateLabels(x.Labels, "label"); err != nil {
			fail(w, http.StatusBadRequest, "alert %d: %v", i, err)
			return
		}
		if err := validateLabels(x.Annotations, "annotation"); err != nil {
			fail(w, http.StatusBadRequest, "alert %d: %v", i, err)
			return
		}
		al := &notify.Alert{Labels: x.Labels, Annotations: x.Annotations, GeneratorURL: x.GeneratorURL,
			StartsAt: time.Time(x.StartsAt), EndsAt: time.Time(x.EndsAt)}
		// As the API's postAlertsHandler: default the times.
		if al.StartsAt.IsZero() {
			if al.EndsAt.IsZero() {
				al.StartsAt = now
			} else {
				al.StartsAt = al.EndsAt
			}
		}
		if al.EndsAt.IsZero() {
			al.EndsAt = now.Add(a.n.cfg.ResolveTimeout)
		}
		if al.EndsAt.Before(al.StartsAt) {
			fail(w, http.StatusBadRequest, "alert %d: start time must be before end time", i)
			return
		}
		alerts = append(alerts, al)
	}
	a.n.disp.Put(alerts)
	w.WriteHeader(http.StatusOK)
}

func (a *api) listAlerts(w http.ResponseWriter, r *http.Request) {
	filters, ok := parseFilters(w, r)
	if !ok {
		return
	}
	now := time.Now()
	type status struct {
		State       string   `json:"state"`
		SilencedBy  []string `json:"silencedBy"`
		InhibitedBy []string `json:"inhibitedBy"`
	}
	type receiver struct {
		Name string `json:"name"`
	}
	type gettable struct {
		apiAlert
		Fingerprint string     `json:"fingerprint"`
		UpdatedAt   apiTime    `json:"updatedAt"`
		Receivers   []receiver `json:"receivers"`
		Status      status     `json:"status"`
	}
	out := []gettable{}
	for _, al := range a.n.disp.List() {
		if al.Resolved(now) || !silence.Matches(&pb.Silence{Matchers: filters}, al.Labels) {
			continue
		}
		st := status{State: "active", SilencedBy: a.n.sil.Mutes(al.Labels), InhibitedBy: []string{}}
		if len(st.SilencedBy) > 0 {
			st.State = "suppressed"
		} else {
			st.SilencedBy = []string{}
		}
		out = append(out, gettable{
			apiAlert: apiAlert{Labels: al.Labels, Annotations: al.Annotations,
				StartsAt: apiTime(al.StartsAt), EndsAt: apiTime(al.EndsAt), GeneratorURL: al.GeneratorURL},
			Fingerprint: fmt.Sprintf("%016x", notify.Fingerprint(al.Labels)),
			UpdatedAt:   apiTime(al.UpdatedAt),
			Receivers:   []receiver{{a.n.cfg.Receiver}},
			Status:      st,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) receivers(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]string{{"name": a.n.cfg.Receiver}})
}
