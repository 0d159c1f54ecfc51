//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"sync"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/gossipscope/gossipscope/scene"
	"github.com/gossipscope/gossipscope/wasm/session"
)

// game is the ebiten Game: Update moves time and handles the clicks the
// page's pointer events queued, Draw turns the scene's frame into pixels.
// Neither decides what to show.
type game struct {
	// mu guards s and out: bridge calls come from JS callbacks, Update and
	// Draw from ebiten's loop. Nothing blocks while holding it, and no JS
	// is called while holding it (see out).
	mu sync.Mutex
	s  *session.Session
	// out holds calls into the page's JS (onSelect, onCommand) made while
	// mu was held; they run once it is released, so a handler may call the
	// API straight away.
	out []func()

	input  pointerInput // clicks from the DOM, for Update
	canvas js.Value     // ebiten's canvas (null if not found)

	r      *renderer
	frame  scene.Frame
	scale  float64 // device px per CSS px
	lw, lh float64 // the layout's size: device px
	start  time.Time
	// onSelect tells the page about a click's selection (set by the bridge).
	onSelect func(name string, c click)
	probe    gcProbe

	frameState             // what was drawn last, to draw only what changed (frames.go)
	pending    pendingCost // the cost of the frame composed, until it is drawn
	software   softwareGL
	boot       *startup // until the first frame is drawn (startup.go)
	// planeOff: the page asked for the whole frame on ebiten's canvas,
	// its still part not on a plane of its own (setPlane(false): a
	// recording of the canvas).
	planeOff bool
}

func newGame(s *session.Session) *game {
	g := &game{s: s, r: newRenderer(), scale: 1, start: time.Now()}
	g.wake = make(chan struct{}, 1)
	return g
}

// lock takes mu; unlock releases it and then makes the JS calls queued
// meanwhile, in order.
func (g *game) lock() { g.mu.Lock() }

func (g *game) unlock() {
	out := g.out
	g.out = nil
	g.mu.Unlock()
	for _, f := range out {
		g.callJS(f)
	}
}

// later queues f to run once mu is released. Call it with mu held.
func (g *game) later(f func()) { g.out = append(g.out, f) }

// callJS runs f, a call into the page's JS, turning an exception thrown by
// the page's handler into an error on the page instead of a dead program.
func (g *game) callJS(f func()) {
	defer func() {
		if v := recover(); v != nil {
			g.mu.Lock()
			g.s.SetError(fmt.Sprintf("the page's handler failed: %v", v))
			g.mu.Unlock()
		}
	}()
	f()
}

// warmUp composes a frame for the canvas's size before the first one is
// drawn: the first frame used to spend 30-50 ms rasterizing every glyph
// of the panel with code the browser had not optimized yet. Now that
// happens while the page boots, and the glyphs are in the atlas.
func (g *game) warmUp() {
	win := js.Global()
	dpr := win.Get("devicePixelRatio").Float()
	if !(dpr > 0) {
		dpr = 1
	}
	body := win.Get("document").Get("body") // the canvas's box, as ebiten sizes it
	w, h := body.Get("clientWidth").Float()*dpr, body.Get("clientHeight").Float()*dpr
	if !(w > 0 && h > 0) {
		return
	}
	g.lock()
	defer g.unlock()
	defer g.recover("warm-up")
	g.placeCanvas()
	g.s.Compose(float32(w), float32(h), float32(dpr), &g.frame)
}

// placeCanvas reads where the canvas lies in the window (the page may
// size it to the scene's part of the window, below its bar and beside its
// docked panel) and tells the session (session.Canvas). Read on a resize
// and with new insets, not on every frame: asking for the canvas's box
// makes the browser lay the page out. Call it with the lock held.
func (g *game) placeCanvas() {
	if g.canvas.Type() != js.TypeObject {
		return
	}
	win := js.Global()
	r := g.canvas.Call("getBoundingClientRect")
	g.s.SetCanvas(session.Canvas{
		X: r.Get("left").Float(), Y: r.Get("top").Float(),
		WinW: win.Get("innerWidth").Float(), WinH: win.Get("innerHeight").Float(),
	})
}

// wallMs is the wall clock the playback follows.
func (g *game) wallMs() float64 { return float64(time.Since(g.start).Microseconds()) / 1000 }

// Update moves time and handles clicks; when nothing can change the
// picture any more until the user or the stream does something, it sleeps
// until they do (frames.go), so that ebiten stops asking the browser for
// animation frames.
func (g *game) Update() error {
	if g.update() {
		g.sleep()
	}
	return nil
}

// update is Update's work under the lock; it reports whether the page may
// sleep.
func (g *game) update() (sleep bool) {
	g.lock()
	defer g.unlock()
	defer g.recover("update")
	// The first picture first: until it is on screen, time stands still and
	// nothing is simulated ahead (startup.go). Commands act meanwhile.
	if g.boot.holdsClock() {
		// Not idle: the clock is about to start. The page's refresh may
		// slow down meanwhile: the next new frame tells it (tellWake).
		g.still, g.quiet = 0, true
	} else {
		g.s.Tick(g.wallMs())
	}
	g.s.FPS = ebiten.ActualFPS()
	for _, c := range g.input.take() {
		g.click(c)
		g.touch()
	}
	if at, moved := g.input.hover(); moved {
		g.hover(at)
	}
	return g.maySleep()
}

// hover moves the pointer over the scene; a new frame is drawn only when
// the node whose name card is shown changes, so a paused page whose
// pointer wanders over empty space or within one node draws nothing.
func (g *game) hover(at pointerAt) {
	kx, ky := g.scale, g.scale
	if at.w > 0 && at.h > 0 && g.lw > 0 && g.lh > 0 {
		kx, ky = g.lw/at.w, g.lh/at.h
	}
	if g.s.Composer.HoverAt(float32(at.x*kx), float32(at.y*ky), at.on) {
		g.touch()
	}
}

// click selects the node under a click (or clears the selection). What a
// click with a modifier does (crash or restart) is the page's decision:
// onSelect passes the modifiers and the page calls crash() or
// restartNode().
func (g *game) click(c click) {
	// CSS px on the canvas to the layout's device px.
	kx, ky := g.scale, g.scale
	if c.w > 0 && c.h > 0 && g.lw > 0 && g.lh > 0 {
		kx, ky = g.lw/c.w, g.lh/c.h
	}
	name := g.s.Click(float32(c.x*kx), float32(c.y*ky))
	if g.onSelect != nil {
		g.later(func() { g.onSelect(name, c) })
	}
}

// Draw decides whether the picture changed and, if so, composes the new
// one: the scene builds it in plain Go, and DrawFinalScreen puts it on
// the screen. ebiten's offscreen image is only a marker here (see
// LayoutF): drawing to it tells ebiten that a new frame exists; when it is
// left alone, ebiten presents nothing and the browser keeps the last
// picture, so a paused page draws no frames at all.
func (g *game) Draw(offscreen *ebiten.Image) {
	g.lock()
	defer g.unlock()
	defer g.recover("draw")
	g.software.check()
	g.s.Composer.CPUDrawn = g.software.on
	if g.idle() {
		g.quiet = true // the page may stop following: tell it of the next frame
	}
	if !g.needsFrame() {
		return
	}
	g.probe.begin()
	glyphs, mapGen := g.s.Composer.Rasterized(), g.s.Composer.MapGen()
	t0 := time.Now()
	g.s.Compose(float32(g.lw), float32(g.lh), float32(g.scale), &g.frame)
	t1 := time.Now()
	if !g.changed() {
		return // the same picture as the one on screen
	}
	g.frames++
	if g.quiet {
		g.quiet = false
		g.later(g.tellWake)
	}
	g.pending = pendingCost{t0: t0, t1: t1, glyphs: g.s.Composer.Rasterized() - glyphs, mapBuilt: g.s.Composer.MapGen() != mapGen, fresh: true}
	offscreen.Fill(markColor(g.frames))
}

// DrawFinalScreen draws the composed frame straight onto the final screen
// (no full-screen copy of an offscreen image). ebiten calls it after a Draw
// that marked the offscreen, on a resize, and for a few frames after the
// last change; each time it draws the whole frame, as the browser hands
// WebGL a cleared canvas for every frame it presents. The background is
// the canvas's CSS background, so nothing is drawn where nothing is.
func (g *game) DrawFinalScreen(screen ebiten.FinalScreen, offscreen *ebiten.Image, geoM ebiten.GeoM) {
	g.lock()
	defer g.unlock()
	defer g.recover("draw")
	if g.frame.W == 0 {
		return // nothing composed yet
	}
	g.r.uploaded = 0
	g.r.scale = g.scale
	g.r.planeWanted = g.software.on && !g.boot.holdsClock() && !g.planeOff
	g.r.drawFrame(screen, &g.frame, g.s.Composer.Atlas())
	g.boot.drawn()
	if !g.pending.fresh {
		return
	}
	t2 := time.Now()
	pc := g.pending
	g.pending.fresh = false
	gcs, alloc, gcMs := g.probe.end()
	g.s.Timing(session.FrameCost{
		Ms: msBetween(pc.t0, t2), ComposeMs: msBetween(pc.t0, pc.t1), QuadsMs: msBetween(pc.t1, t2),
		GC: gcs, GCMs: gcMs, AllocKB: float64(alloc) / 1024,
		Glyphs: pc.glyphs, MapBuilt: pc.mapBuilt,
		UploadKB: float64(g.r.uploaded) / 1024,
	})
}

// pendingCost is what the frame composed in Draw cost so far; its cost is
// recorded once DrawFinalScreen has drawn it.
type pendingCost struct {
	t0, t1   time.Time
	glyphs   int
	mapBuilt bool
	fresh    bool
}

func msBetween(a, b time.Time) float64 { return float64(b.Sub(a).Microseconds()) / 1000 }

// LayoutF sizes the frame at the device's real resolution (crisp on HiDPI
// screens), which is the size of ebiten's final screen, where
// DrawFinalScreen draws. The offscreen image ebiten asks for is 1x1: it
// only marks a frame as new (Draw), so it costs no pixels. Clicks come in
// CSS px and are scaled to the frame in Update.
func (g *game) LayoutF(w, h float64) (float64, float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.scale = ebiten.Monitor().DeviceScaleFactor()
	if g.scale <= 0 {
		g.scale = 1
	}
	g.lw, g.lh = math.Ceil(w*g.scale), math.Ceil(h*g.scale)
	return 1, 1
}

func (g *game) Layout(w, h int) (int, int) { panic("LayoutF is used instead") }

// recover turns a panic into an error on the page instead of a dead tab.
func (g *game) recover(where string) {
	if v := recover(); v != nil {
		g.s.SetError(fmt.Sprintf("internal error in %s: %v", where, v))
		g.later(g.tellWake) // a still page would not look, and not show it
	}
}

func (g *game) fatal(err error) {
	g.lock()
	defer g.unlock()
	g.s.SetError("the renderer stopped: " + err.Error())
	g.later(g.tellWake)
}
