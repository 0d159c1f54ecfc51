package engine

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Query field names. A scenario link is these fields plus one "do" per
// scheduled action, e.g.
//
//	?nodes=200&mode=pushpull&fanout=2&latency=20,80&loss=0.1&seed=7&do=crash@1500:3&do=heal@5000
//
// latency is "MIN" (fixed) or "MIN,MAX" (uniform) in ms; async is a boolean.
var queryFields = []string{
	"nodes", "period", "fanout", "mode", "peers", "stop", "mult", "k", "async",
	"latency", "loss", "seed", "keys", "maxtime", "do",
}

// ParseQuery reads a scenario from URL query values. Missing fields take
// their defaults (see Config); fields it does not know are ignored, so a
// page can keep its own parameters in the same URL. Every bad field is
// reported, by name, in one error; the result is valid when err is nil.
func ParseQuery(q url.Values) (Config, error) {
	var c Config
	var errs []error
	str := func(name string) (string, bool) {
		v, ok := q[name]
		if !ok || len(v) == 0 {
			return "", false
		}
		return strings.TrimSpace(v[len(v)-1]), true
	}
	intField := func(name string, dst *int) {
		if s, ok := str(name); ok {
			v, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", name, s))
				return
			}
			*dst = v
		}
	}
	floatField := func(name string, dst *float64) {
		if s, ok := str(name); ok {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a number", name, s))
				return
			}
			*dst = v
		}
	}
	intField("nodes", &c.Nodes)
	floatField("period", &c.Period)
	intField("fanout", &c.Fanout)
	// Zero in a Config means "the default", but a zero asked for is a
	// mistake to say, not to replace silently.
	if _, ok := str("period"); ok && c.Period == 0 {
		errs = append(errs, errors.New("period: 0 ms; need a period above 0"))
	}
	if _, ok := str("fanout"); ok && c.Fanout == 0 {
		errs = append(errs, errors.New("fanout: 0; need at least 1 peer a period"))
	}
	if s, ok := str("mode"); ok {
		c.Mode = Mode(strings.ToLower(strings.ReplaceAll(s, "-", "")))
	}
	if s, ok := str("peers"); ok {
		c.Peers = PeerRule(strings.ToLower(s))
	}
	if s, ok := str("stop"); ok {
		c.Stop = StopRule(strings.ToLower(s))
	}
	intField("mult", &c.RetransmitMult)
	intField("k", &c.FeedbackK)
	if s, ok := str("async"); ok {
		v, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("async: %q is not true or false", s))
		}
		c.Async = v
	}
	if s, ok := str("latency"); ok {
		lo, hi, err := ParseLatency(s)
		if err != nil {
			errs = append(errs, err)
		}
		c.LatencyMin, c.LatencyMax = lo, hi
	}
	floatField("loss", &c.Loss)
	if s, ok := str("seed"); ok {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("seed: %q is not a whole number >= 0", s))
		}
		c.Seed = v
	}
	intField("keys", &c.Keys)
	floatField("maxtime", &c.MaxTime)
	if len(q["do"]) > MaxActions {
		errs = append(errs, fmt.Errorf("do: %d actions, at most %d", len(q["do"]), MaxActions))
	} else {
		for _, s := range q["do"] {
			a, err := ParseAction(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("do: %v", err))
				continue
			}
			c.Schedule = append(c.Schedule, a)
		}
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	c = c.normalized()
	return c, c.Validate()
}

// ParseLatency reads "MIN" (fixed) or "MIN,MAX" (uniform), in ms.
func ParseLatency(s string) (lo, hi float64, err error) {
	a, b, isRange := strings.Cut(s, ",")
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi = lo
	var err2 error
	if isRange {
		hi, err2 = strconv.ParseFloat(strings.TrimSpace(b), 64)
	}
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("latency: %q is not MIN or MIN,MAX in ms", s)
	}
	if !finite(lo) || !finite(hi) || lo < 0 || hi < lo {
		return lo, hi, fmt.Errorf("latency: %q: need 0 <= MIN <= MAX", s)
	}
	return lo, hi, nil
}

// Query is the inverse of ParseQuery: every setting, defaults filled in,
// floats in their shortest exact form, so the link reproduces the scenario
// (and, with the same seed, its whole history) exactly.
func (c Config) Query() url.Values {
	c = c.normalized()
	q := url.Values{}
	q.Set("nodes", strconv.Itoa(c.Nodes))
	q.Set("period", fmtFloat(c.Period))
	q.Set("fanout", strconv.Itoa(c.Fanout))
	q.Set("mode", string(c.Mode))
	q.Set("peers", string(c.Peers))
	q.Set("stop", string(c.Stop))
	q.Set("mult", strconv.Itoa(c.RetransmitMult))
	q.Set("k", strconv.Itoa(c.FeedbackK))
	q.Set("async", strconv.FormatBool(c.Async))
	lat := fmtFloat(c.LatencyMin)
	if c.LatencyMax != c.LatencyMin {
		lat += "," + fmtFloat(c.LatencyMax)
	}
	q.Set("latency", lat)
	q.Set("loss", fmtFloat(c.Loss))
	q.Set("seed", strconv.FormatUint(c.Seed, 10))
	q.Set("keys", strconv.Itoa(c.Keys))
	q.Set("maxtime", fmtFloat(c.MaxTime))
	for _, a := range c.Schedule {
		q.Add("do", a.String())
	}
	return q
}

// IsQueryField reports whether name is a scenario field of ParseQuery, so a
// page can tell its own URL parameters from the scenario's.
func IsQueryField(name string) bool {
	for _, f := range queryFields {
		if f == name {
			return true
		}
	}
	return false
}
