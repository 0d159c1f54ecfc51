package session

import (
	"math"

	"github.com/gossipscope/gossipscope/scene"
)

// State is what gossipscope.state() returns (docs/jsapi.md): the JSON
// names are the JS property names.
type State struct {
	T              float64  `json:"t"`
	Duration       float64  `json:"duration"`
	Horizon        float64  `json:"horizon"`
	Playing        bool     `json:"playing"`
	Speed          float64  `json:"speed"`
	Round          int      `json:"round"`
	Nodes          int      `json:"nodes"`
	Alive          int      `json:"alive"`
	Informed       int      `json:"informed"`
	Version        int      `json:"version"`
	Older          int      `json:"older"`
	Messages       int      `json:"messages"`
	Redundant      int      `json:"redundant"`
	Lost           int      `json:"lost"`
	RoundMessages  int      `json:"roundMessages"`
	RoundRedundant int      `json:"roundRedundant"`
	Groups         int      `json:"groups"`
	Loss           float64  `json:"loss"`
	Key            string   `json:"key"`
	KeyLabel       string   `json:"keyLabel"`
	KeyChosen      string   `json:"keyChosen"`
	Stream         string   `json:"stream"` // the header's source: sim, lab, alertmanager, ...
	ReadOnly       bool     `json:"readOnly"`
	Observer       string   `json:"observer"`
	Done           bool     `json:"done"`
	Complete       bool     `json:"complete"`
	Source         string   `json:"source"` // sim, replay or live
	Live           bool     `json:"live"`
	Narration      string   `json:"narration"`
	TheoryRounds   float64  `json:"theoryRounds"`
	LogRounds      float64  `json:"logRounds"`
	Period         float64  `json:"period"`
	Events         int      `json:"events"`
	Skipped        int      `json:"skipped"`
	Reordered      int      `json:"reordered"`
	Projector      bool     `json:"projector"`
	TextMin        float64  `json:"textMin"`
	Overlay        Overlay  `json:"overlay"`
	Selected       *Node    `json:"selected"` // nil: none
	Error          string   `json:"error"`
	FPS            float64  `json:"fps"`
	DrawMs         float64  `json:"drawMs"`
	DrawMaxMs      float64  `json:"drawMaxMs"`
	DrawParts      DrawPart `json:"drawParts"`
	DrawSlowest    Frame    `json:"drawSlowest"`
	Quads          int      `json:"quads"`
	Packets        int      `json:"packets"`
}

// DrawPart splits the median Draw time.
type DrawPart struct {
	Compose float64 `json:"compose"`
	Quads   float64 `json:"quads"`
	Text    float64 `json:"text"`
}

// Frame is a FrameCost in ms rounded to µs, as drawSlowest reports it.
type Frame struct {
	Ms       float64 `json:"ms"`
	Compose  float64 `json:"compose"`
	Quads    float64 `json:"quads"`
	GC       int     `json:"gc"`
	GCMs     float64 `json:"gcMs"`
	AllocKB  float64 `json:"allocKB"`
	Glyphs   int     `json:"glyphs"`
	MapBuilt bool    `json:"mapBuilt"`
	UploadKB float64 `json:"uploadKB"`
}

// Node describes the selected node.
type Node struct {
	Name           string   `json:"name"`
	Index          int      `json:"index"`
	Class          string   `json:"class"`
	Status         string   `json:"status"` // alive, suspect or dead
	Crashed        bool     `json:"crashed"`
	Informed       bool     `json:"informed"`
	Holds          []Hold   `json:"holds"`
	Sent           int      `json:"sent"`
	Received       int      `json:"received"`
	SentTo         []string `json:"sentTo"`
	SentToCount    int      `json:"sentToCount"`
	HeardFrom      []string `json:"heardFrom"`
	HeardFromCount int      `json:"heardFromCount"`
	Group          int      `json:"group"`
	// Views: in memberlist mode, how many running nodes see it alive,
	// suspect and gone (nil for other streams).
	Views *Views  `json:"views"`
	X     float64 `json:"x"` // CSS pixels in the window
	Y     float64 `json:"y"`
}

// Hold is one piece of state a node holds.
type Hold struct {
	Key     string  `json:"key"`
	Label   string  `json:"label"`
	Rank    int     `json:"rank"`
	Version float64 `json:"version"`
	Since   float64 `json:"since"`
	Newest  bool    `json:"newest"`
}

// Key is one entry of keys(): a key nodes hold.
type Key struct {
	Key     string  `json:"key"`
	Label   string  `json:"label"`
	Short   string  `json:"short"`
	Comment string  `json:"comment"`
	Origin  string  `json:"origin"`
	First   float64 `json:"first"`
	Holders int     `json:"holders"`
}

// State returns the page's state at the playhead.
func (s *Session) State() State {
	p := s.Player
	c := p.Counters()
	in := p.Info()
	th, logEst := 0.0, 0.0
	if in.Nodes > 1 && in.Fanout > 0 {
		th, logEst = scene.TheoryRounds(in.Nodes, in.Fanout, in.Mode)
	}
	skipped, reordered := p.Skipped()
	return State{
		T: c.T, Duration: p.Duration(), Horizon: p.Horizon(),
		Playing: s.Playback.Playing, Speed: s.Playback.Speed,
		Round: c.Round, Nodes: c.Present, Alive: c.Alive, Informed: c.Informed,
		Version: c.Version, Older: c.Older,
		Messages: c.Messages, Redundant: c.Redundant, Lost: c.Lost,
		RoundMessages: c.RoundMessages, RoundRedundant: c.RoundRedundant,
		Groups: c.Groups, Loss: c.Loss,
		Key: c.Key, KeyLabel: p.KeyLabel(), KeyChosen: p.ChosenKey(),
		Stream: in.Source, ReadOnly: readOnly(in.Params), Observer: observerName(in.Params),
		Done: c.Done, Complete: p.Done(), Source: s.source, Live: s.Playback.Live,
		Narration:    p.Narration(),
		TheoryRounds: round1(th), LogRounds: round1(logEst), Period: in.Period,
		Events: p.Len(), Skipped: skipped, Reordered: reordered,
		Projector: s.Composer.Projector, TextMin: round1(float64(s.Composer.TextMin)), Overlay: s.Overlay(), Selected: s.selected(),
		Error: s.lastErr,
		FPS:   round1(s.FPS), DrawMs: ms3(s.DrawMs), DrawMaxMs: ms3(s.DrawMaxMs),
		DrawParts:   DrawPart{Compose: ms3(s.ComposeMs), Quads: ms3(s.QuadsMs)},
		DrawSlowest: s.Slowest.frame(),
		Quads:       s.quads, Packets: s.packets,
	}
}

// Keys lists the keys nodes hold, newest first, for the page's key select.
func (s *Session) Keys() []Key {
	ks := s.Player.KeyList()
	out := make([]Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, Key{Key: k.Key, Label: k.Label, Short: k.Short, Comment: k.Comment, Origin: k.Origin, First: k.First, Holders: k.Holders})
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
func (s *Session) selected() *Node {
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
	holds := make([]Hold, 0, len(d.Holds))
	for _, h := range d.Holds {
		holds = append(holds, Hold{Key: h.Key, Label: h.Label, Rank: h.Rank, Version: float64(h.Version), Since: h.Since, Newest: h.Newest})
	}
	px, py, _ := s.Composer.NodePos(i)
	x, y := s.InWindow(px, py)
	return &Node{
		Name: d.Name, Index: i, Class: d.Class.String(), Status: status,
		Crashed:  d.Class == scene.Crashed,
		Informed: d.Class == scene.Informed || d.Class == scene.Stopped,
		Holds:    holds, Sent: d.Sent, Received: d.Received,
		SentTo: nonNil(d.SentTo), SentToCount: d.SentToN,
		HeardFrom: nonNil(d.HeardFrom), HeardFromCount: d.HeardN,
		Group: d.Group, Views: viewsOf(d.View),
		X: x, Y: y,
	}
}

// Views is scene.View for JS.
type Views struct {
	Alive   int `json:"alive"`
	Suspect int `json:"suspect"`
	Gone    int `json:"gone"`
}

func viewsOf(v scene.View) *Views {
	if v == (scene.View{}) {
		return nil
	}
	return &Views{Alive: v.Alive, Suspect: v.Suspect, Gone: v.Gone}
}

// nonNil keeps a list a list ([] in JS, not null).
func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
