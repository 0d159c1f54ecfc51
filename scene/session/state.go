package session

import (
	"math"

	"github.com/gossipscope/gossipscope/scene"
)

// State is what gossipscope.state() returns, as plain values (maps, []any,
// numbers, strings, bools and nil only, so that syscall/js can convert it).
func (s *Session) State() map[string]any {
	p := s.Player
	c := p.Counters()
	in := p.Info()
	th, logEst := 0.0, 0.0
	if in.Nodes > 1 && in.Fanout > 0 {
		th, logEst = scene.TheoryRounds(in.Nodes, in.Fanout, in.Mode)
	}
	skipped, reordered := p.Skipped()
	out := map[string]any{
		"t":              c.T,
		"duration":       p.Duration(),
		"horizon":        p.Horizon(),
		"playing":        s.Playback.Playing,
		"speed":          s.Playback.Speed,
		"round":          c.Round,
		"nodes":          c.Present,
		"alive":          c.Alive,
		"informed":       c.Informed,
		"version":        c.Version,
		"older":          c.Older,
		"messages":       c.Messages,
		"redundant":      c.Redundant,
		"lost":           c.Lost,
		"roundMessages":  c.RoundMessages,
		"roundRedundant": c.RoundRedundant,
		"groups":         c.Groups,
		"loss":           c.Loss,
		"key":            c.Key,
		"keyLabel":       p.KeyLabel(),
		"keyChosen":      p.ChosenKey(),
		"stream":         in.Source,
		"readOnly":       readOnly(in.Params),
		"observer":       observerName(in.Params),
		"done":           c.Done,
		"complete":       p.Done(),
		"source":         s.source,
		"live":           s.Playback.Live,
		"narration":      p.Narration(),
		"theoryRounds":   round1(th),
		"logRounds":      round1(logEst),
		"period":         in.Period,
		"events":         p.Len(),
		"skipped":        skipped,
		"reordered":      reordered,
		"projector":      s.Composer.Projector,
		"overlay":        s.Overlay(),
		"selected":       s.selected(),
		"error":          s.lastErr,
		"fps":            round1(s.FPS),
		"drawMs":         ms3(s.DrawMs),
		"drawMaxMs":      ms3(s.DrawMaxMs),
		"drawParts":      map[string]any{"compose": ms3(s.ComposeMs), "quads": ms3(s.QuadsMs), "text": 0.0},
		"drawSlowest":    s.Slowest.values(),
		"quads":          s.quads,
		"packets":        s.packets,
	}
	return out
}

// Keys lists the keys nodes hold, newest first, for the page's key
// select: [{key, label, short, comment, origin, first, holders}].
func (s *Session) Keys() []any {
	ks := s.Player.KeyList()
	out := make([]any, 0, len(ks))
	for _, k := range ks {
		out = append(out, map[string]any{"key": k.Key, "label": k.Label, "short": k.Short, "comment": k.Comment, "origin": k.Origin, "first": k.First, "holders": k.Holders})
	}
	return out
}

// readOnly reports whether the header says the source takes no commands
// (an observer of a real cluster).
func readOnly(params map[string]any) bool {
	b, _ := params["read_only"].(bool)
	return b
}

func observerName(params map[string]any) string {
	s, _ := params["observer_name"].(string)
	return s
}

func ms3(v float64) float64 { return math.Round(v*1000) / 1000 }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// selected describes the selected node, or nil.
func (s *Session) selected() any {
	i := s.Composer.Selected
	if i < 0 {
		return nil
	}
	d, ok := s.Player.Details(i)
	if !ok {
		return nil
	}
	status := "alive"
	switch d.Class {
	case scene.Crashed:
		status = "dead"
	case scene.Suspect:
		status = "suspect"
	}
	holds := make([]any, 0, len(d.Holds))
	for _, h := range d.Holds {
		holds = append(holds, map[string]any{"key": h.Key, "label": h.Label, "rank": h.Rank, "version": float64(h.Version), "since": h.Since, "newest": h.Newest})
	}
	x, y, _ := s.Composer.NodePos(i)
	return map[string]any{
		"name":           d.Name,
		"index":          i,
		"class":          d.Class.String(),
		"status":         status,
		"crashed":        d.Class == scene.Crashed,
		"informed":       d.Class == scene.Informed || d.Class == scene.Stopped,
		"holds":          holds,
		"sent":           d.Sent,
		"received":       d.Received,
		"sentTo":         strs(d.SentTo),
		"sentToCount":    d.SentToN,
		"heardFrom":      strs(d.HeardFrom),
		"heardFromCount": d.HeardN,
		"group":          d.Group,
		"x":              float64(x) / s.deviceScale(),
		"y":              float64(y) / s.deviceScale(),
	}
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
