// Package session is the page's controller: it owns one scene.Player, its
// Playback and Composer, and the source feeding it (the engine's simulator
// in the page, a recording, or a live stream), and implements every call of
// the page's JS API in plain Go so that it is tested natively. The wasm
// package only converts between JS values and these methods.
//
// Interactive faults follow the engine's determinism: a crash at playhead
// time t appends an engine.Action at t to the scenario's Schedule, drops the
// stored events from t on, re-creates the simulator from the same Config
// and runs it to t again (the same seed gives the same history up to t), and
// keeps its events from t on. So the whole story, faults included, stays in
// the scenario's query string and a link replays it exactly.
package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gossipscope/gossipscope/engine"
	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/scene"
)

// Source names.
const (
	SourceSim    = "sim"
	SourceReplay = "replay"
	SourceLive   = "live"
)

// Session is one page's state. It is not safe for concurrent use: the
// page calls it from the JS event loop only.
type Session struct {
	Player   *scene.Player
	Playback *scene.Playback
	Composer *scene.Composer

	source string
	cfg    engine.Config
	sim    *engine.Sim
	simErr error

	// OnCommand receives live commands as protocol.Command JSON.
	OnCommand func(cmdJSON string)
	cmdSeq    int

	lastErr string
	FPS     float64 // set by the renderer
	// DrawMs is the median Go time in Draw over the last TimingFrames
	// frames, ComposeMs and QuadsMs its parts (see Timing).
	DrawMs, ComposeMs, QuadsMs float64
	DrawMaxMs                  float64   // the slowest recent frame
	Slowest                    FrameCost // and what it did
	timings                    [TimingFrames]FrameCost
	timingN                    int

	// DeviceScale is device px per CSS px, set by the renderer.
	DeviceScale float64
	insets      [4]float64 // top, right, bottom, left: the window's, CSS px (SetInsets)
	canvas      Canvas

	quads, packets int // of the last frame

	// SimBudget is how much wall time Tick may spend simulating ahead.
	SimBudget time.Duration
}

// New returns a session running the engine's default scenario, paused.
func New() *Session {
	s := &Session{
		Player:    scene.NewPlayer(scene.Config{}),
		Playback:  scene.NewPlayback(),
		Composer:  scene.NewComposer(),
		SimBudget: 6 * time.Millisecond,
	}
	if err := s.startSim(engine.DefaultConfig()); err != nil {
		s.lastErr = err.Error()
	}
	return s
}

// Source returns "sim", "replay" or "live".
func (s *Session) Source() string { return s.source }

// Err returns the last error shown to people, or "".
func (s *Session) Err() string { return s.lastErr }

func (s *Session) fail(err error) error {
	if err != nil {
		s.lastErr = err.Error()
	}
	return err
}

// Load starts the scenario in query (a URL query string, with or without
// "?"; fields the engine does not know are ignored). On error nothing
// changes.
func (s *Session) Load(query string) error {
	q, err := url.ParseQuery(strings.TrimPrefix(strings.TrimSpace(query), "?"))
	if err != nil {
		return s.fail(fmt.Errorf("scenario: %v", err))
	}
	cfg, err := engine.ParseQuery(q)
	if err != nil {
		return s.fail(err)
	}
	if err := s.startSim(cfg); err != nil {
		return s.fail(err)
	}
	s.lastErr = ""
	return nil
}

// startSim replaces the source with a fresh simulation of cfg, playhead at
// 0. On error nothing changes.
func (s *Session) startSim(cfg engine.Config) error {
	sim, err := engine.New(cfg)
	if err != nil {
		return err
	}
	s.source, s.cfg, s.sim, s.simErr = SourceSim, cfg, sim, nil
	s.Player.Reset()
	s.Composer.Selected = -1
	s.Playback.Live = false
	s.Playback.Seek(0)
	hdr := sim.Header()
	s.Player.Append(&hdr)
	s.Player.Seek(0)
	s.simulate(0, 50*time.Millisecond) // the first frame has something to show
	return nil
}

// Scenario returns the current scenario as a query string, faults
// included, or "" when the source is not the simulator.
func (s *Session) Scenario() string {
	if s.source != SourceSim {
		return ""
	}
	return s.cfg.Query().Encode()
}

// Config returns the scenario.
func (s *Session) Config() engine.Config { return s.cfg }

// Restart plays the stream again from the start.
func (s *Session) Restart() {
	s.Composer.Selected = -1
	if s.source == SourceSim {
		if err := s.startSim(s.cfg); err != nil {
			s.fail(err)
			return
		}
	}
	s.seek(0)
	s.Playback.Playing = true
}

// Play, Pause and Toggle control playback.
func (s *Session) Play() {
	if s.Playback.T >= s.end() && s.Player.Done() && s.source != SourceLive {
		s.seek(0) // play at the end starts over
	}
	s.Playback.Playing = true
}

func (s *Session) Pause() { s.Playback.Playing = false }

func (s *Session) Toggle() {
	if s.Playback.Playing {
		s.Pause()
	} else {
		s.Play()
	}
}

// SetSpeed sets the playback rate (clamped to 0.05..50).
func (s *Session) SetSpeed(x float64) error {
	if !s.Playback.SetSpeed(x) {
		return s.fail(fmt.Errorf("speed: %v is not a positive number", x))
	}
	return nil
}

// Seek moves the playhead to t ms (clamped to the stream).
func (s *Session) Seek(t float64) error {
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return s.fail(fmt.Errorf("seek: %v is not a time", t))
	}
	s.seek(t)
	return nil
}

func (s *Session) seek(t float64) {
	t = math.Max(0, t)
	if s.source == SourceSim {
		s.simulate(t, 500*time.Millisecond)
	}
	if s.source != SourceLive {
		t = math.Min(t, s.end())
	}
	s.Playback.Seek(t)
	s.Player.Seek(t)
}

// end is the furthest the playhead may go now.
func (s *Session) end() float64 {
	if s.Player.Done() {
		return s.Player.Duration()
	}
	if s.source == SourceSim && s.sim != nil {
		return math.Max(s.Player.Horizon(), s.sim.Now()) // simulated to here, quiet or not
	}
	return s.Player.Horizon()
}

// StepRound pauses and moves to the next round marker.
func (s *Session) StepRound() {
	s.Pause()
	now := s.Playback.T
	if s.source == SourceSim {
		s.simulate(now+2*s.period(), 200*time.Millisecond)
	}
	if t, ok := s.Player.NextRound(now); ok {
		s.seek(t)
	} else {
		s.seek(s.end())
	}
}

// StepMessage pauses and moves to the next moment a message leaves or
// arrives.
func (s *Session) StepMessage() {
	s.Pause()
	now := s.Playback.T
	if s.source == SourceSim {
		s.simulate(now+2*s.period(), 200*time.Millisecond)
	}
	if t, ok := s.Player.NextMessage(now); ok {
		s.seek(t)
	} else {
		s.seek(s.end())
	}
}

func (s *Session) period() float64 {
	if p := s.Player.Info().Period; p > 0 {
		return p
	}
	return 1000
}

// Tick advances the playhead to wall time wallMs and simulates ahead
// within the session's budget. The renderer calls it from Update.
func (s *Session) Tick(wallMs float64) {
	if s.source == SourceSim {
		// Keep the log ahead of the playhead (blocking a little if the
		// playhead caught up), then use the budget to run on to the end.
		ahead := s.Playback.T + 2*s.period()*math.Max(1, s.Playback.Speed)
		if s.Player.Horizon() < ahead && !s.Player.Done() {
			s.simulate(ahead, 4*s.SimBudget)
		}
		s.simulate(math.Inf(1), s.SimBudget)
	}
	t := s.Playback.Tick(wallMs, s.end(), s.Player.Done())
	if s.Playback.Live {
		// Past the newest event's last flight nothing happens: the picture
		// (its clock and chart too) holds there, so a live stream with
		// nothing arriving draws nothing new and the page's loop may sleep.
		// The playhead runs on with wall time, and the next event shows as
		// soon as it comes.
		t = math.Min(t, s.Player.Duration())
	}
	s.Player.Seek(t)
}

// simulate runs the simulator until its log reaches until (ms) or it is
// done, or budget is spent.
func (s *Session) simulate(until float64, budget time.Duration) {
	if s.sim == nil || s.Player.Done() {
		return
	}
	start := time.Now()
	step := s.period()
	for !s.sim.Done() && s.sim.Now() < until {
		next := math.Min(until, s.sim.Now()+step)
		s.sim.Advance(next, s.emit)
		if s.simErr != nil || time.Since(start) > budget {
			break
		}
	}
	if s.sim.Done() || s.simErr != nil {
		s.Player.SetDone(true)
	}
}

func (s *Session) emit(ev *protocol.Event) {
	if s.simErr != nil {
		return
	}
	if err := s.Player.Append(ev); err != nil {
		if errors.Is(err, scene.ErrFull) {
			s.simErr = err
			s.lastErr = "the run is too long to show whole: " + s.Player.Err()
		}
	}
}

// emitFrom returns an emit that drops events before t (already in the log).
func (s *Session) emitFrom(t float64) func(*protocol.Event) {
	return func(ev *protocol.Event) {
		if ev.T >= t {
			s.emit(ev)
		}
	}
}

// SetProjector switches large type and thick lines.
func (s *Session) SetProjector(on bool) { s.Composer.Projector = on }

// Select selects a node by name ("" = none).
func (s *Session) Select(name string) error {
	if name == "" {
		s.Composer.Selected = -1
		return nil
	}
	i, ok := s.Player.Node(name)
	if !ok {
		return s.fail(fmt.Errorf("select: no node %q", name))
	}
	s.Composer.Selected = i
	return nil
}

// Click selects the node at screen point (x, y) in device px, or clears
// the selection when there is none. It returns the selected name.
func (s *Session) Click(x, y float32) string {
	i := s.Composer.NodeAt(x, y)
	s.Composer.Selected = i
	return s.Player.NodeName(i)
}

// SetKey focuses colours and chart on one key ("" = the newest).
func (s *Session) SetKey(key string) error {
	if !s.Player.SetKey(key) {
		return s.fail(fmt.Errorf("key: no key %q in the stream", key))
	}
	return nil
}

// command sends a live command through OnCommand.
func (s *Session) command(c protocol.Command) error {
	if err := c.Validate(); err != nil {
		return s.fail(err)
	}
	if s.OnCommand == nil {
		return s.fail(errors.New("live: the page has not set onCommand"))
	}
	s.cmdSeq++
	c.ID = "c" + strconv.Itoa(s.cmdSeq)
	b, err := json.Marshal(c)
	if err != nil {
		return s.fail(err)
	}
	s.OnCommand(string(b))
	return nil
}

func (s *Session) deviceScale() float64 {
	if s.DeviceScale > 0 {
		return s.DeviceScale
	}
	return 1
}

// Compose fills f with the picture at the playhead for a w x h device-px
// screen with scale device px per CSS px.
func (s *Session) Compose(w, h, scale float32, f *scene.Frame) {
	s.DeviceScale = float64(scale)
	s.place(w, h, scale)
	s.Composer.Compose(s.Player, w, h, scale, f)
	s.quads, s.packets = f.Shapes(), f.Packets
}

// SetError shows msg as the session's error (the renderer reports its own
// problems through it).
func (s *Session) SetError(msg string) { s.lastErr = msg }

// Fail records err as the session's error and returns it.
func (s *Session) Fail(err error) error { return s.fail(err) }

// SetInsets tells the scene which margins of the window (CSS px from its
// edges) the page's controls cover; Compose turns them into the canvas's
// margins, so the page need not know where the canvas is.
func (s *Session) SetInsets(top, right, bottom, left float64) {
	clean := func(v float64) float64 {
		if v != v || v < 0 {
			return 0
		}
		return v
	}
	s.insets = [4]float64{clean(top), clean(right), clean(bottom), clean(left)}
}

// Canvas is where the canvas lies in the page's window, CSS px: its top
// left corner (X, Y) and the window's size. The canvas may cover only
// the part of the window the scene shows (below the page's bar, beside
// its docked panel); the API's positions are the window's all the same,
// and type and lines grow with the window, not the canvas. The zero
// Canvas is a canvas that fills the window.
type Canvas struct{ X, Y, WinW, WinH float64 }

// SetCanvas records where the canvas lies (the renderer reads it from the
// page whenever it may have moved: a resize, new insets).
func (s *Session) SetCanvas(c Canvas) {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(c.WinW > 0 && c.WinH > 0) || !finite(c.X) || !finite(c.Y) || !finite(c.WinW) || !finite(c.WinH) {
		c = Canvas{} // a canvas that fills the window
	}
	s.canvas = c
}

// Origin is the canvas's top left corner in the window, CSS px: what the
// API adds to a position on the canvas.
func (s *Session) Origin() (x, y float64) { return s.canvas.X, s.canvas.Y }

// InWindow turns a point on the canvas (device px, as the scene draws)
// into the window's CSS px, as the API reports every position.
func (s *Session) InWindow(x, y float32) (float64, float64) {
	k := s.deviceScale()
	return s.canvas.X + float64(x)/k, s.canvas.Y + float64(y)/k
}

// place sets the composer's window size and the canvas's margins the
// page's controls cover, device px, for a canvas of w x h device px.
func (s *Session) place(w, h, scale float32) {
	k := float64(scale)
	if !(k > 0) {
		k = 1
	}
	cw, ch := float64(w)/k, float64(h)/k
	c := s.canvas
	if c.WinW <= 0 {
		c = Canvas{WinW: cw, WinH: ch}
	}
	in := s.insets
	edge := func(inset, gap float64) float32 { return float32(max(0, inset-gap) * k) }
	s.Composer.Insets = scene.Insets{
		Top:    edge(in[0], c.Y),
		Right:  edge(in[1], c.WinW-c.X-cw),
		Bottom: edge(in[2], c.WinH-c.Y-ch),
		Left:   edge(in[3], c.X),
	}
	s.Composer.Window = [2]float32{float32(c.WinW * k), float32(c.WinH * k)}
}

// SetOverlay shows or hides a part the canvas draws over the nodes:
// "narration" (off by default: the page shows it in HTML), "legend" and
// "panel" (the counters and chart; on by default).
func (s *Session) SetOverlay(name string, on bool) {
	switch name {
	case "narration":
		s.Composer.ShowNarration = on
	case "legend":
		s.Composer.HideLegend = !on
	case "panel":
		s.Composer.HidePanel = !on
	}
}

// Overlay is which parts the canvas draws over the nodes, and where the
// legend went in the last frame ("panel", "strip" or "none").
type Overlay struct {
	Narration bool   `json:"narration"`
	Legend    bool   `json:"legend"`
	Panel     bool   `json:"panel"`
	LegendAt  string `json:"legendAt"`
}

// Overlay returns the canvas's overlays.
func (s *Session) Overlay() Overlay {
	c := s.Composer
	at := c.LegendPlace()
	if c.HideLegend || c.HidePanel {
		at = "none"
	}
	return Overlay{Narration: c.ShowNarration, Legend: !c.HideLegend, Panel: !c.HidePanel, LegendAt: at}
}

// LegendItem is one legend entry: kind ("node" or "message"), shape
// ("disc", "small", "ring", "dot"), colour ("#rrggbb") and label.
type LegendItem struct {
	Kind  string `json:"kind"`
	Shape string `json:"shape"`
	Color string `json:"color"`
	Label string `json:"label"`
}

// Legend returns the legend's entries in the canvas's order.
func (s *Session) Legend() []LegendItem {
	items := s.Player.LegendFor()
	out := make([]LegendItem, 0, len(items))
	for _, it := range items {
		out = append(out, LegendItem{Kind: it.Kind, Shape: it.Shape, Color: it.Color.Hex(), Label: it.Label})
	}
	return out
}
