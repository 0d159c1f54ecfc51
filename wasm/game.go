//go:build js && wasm

package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/gossipscope/gossipscope/scene"
	"github.com/gossipscope/gossipscope/scene/session"
)

// game is the ebiten Game: Update moves time and reads the pointer, Draw
// turns the scene's frame into pixels. Neither decides what to show.
type game struct {
	// mu guards s: bridge calls come from JS callbacks, Update and Draw from
	// ebiten's loop. Nothing blocks while holding it.
	mu sync.Mutex
	s  *session.Session

	r        *renderer
	frame    scene.Frame
	scale    float64 // device px per CSS px
	start    time.Time
	touchIDs []ebiten.TouchID
	onSelect func(name string)
	probe    gcProbe
}

func newGame(s *session.Session) *game {
	return &game{s: s, r: newRenderer(), scale: 1, start: time.Now()}
}

// wallMs is the wall clock the playback follows.
func (g *game) wallMs() float64 { return float64(time.Since(g.start).Microseconds()) / 1000 }

func (g *game) Update() (err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer g.recover("update")
	g.s.Tick(g.wallMs())
	g.s.FPS = ebiten.ActualFPS()
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		x, y := ebiten.CursorPosition()
		g.click(float32(x), float32(y))
	}
	g.touchIDs = inpututil.AppendJustPressedTouchIDs(g.touchIDs[:0])
	for _, id := range g.touchIDs {
		x, y := ebiten.TouchPosition(id)
		g.click(float32(x), float32(y))
	}
	return nil
}

// click selects the node under the pointer (or clears the selection). What
// a click with a modifier does (crash or restart) is the page's decision:
// it reads the selection and calls crash() or restartNode().
func (g *game) click(x, y float32) {
	name := g.s.Click(x, y)
	if g.onSelect != nil {
		g.onSelect(name)
	}
}

func (g *game) Draw(screen *ebiten.Image) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer g.recover("draw")
	g.probe.begin()
	glyphs, mapGen := g.s.Composer.Rasterized(), g.s.Composer.MapGen()
	t0 := time.Now()
	b := screen.Bounds()
	g.s.Compose(float32(b.Dx()), float32(b.Dy()), float32(g.scale), &g.frame)
	t1 := time.Now()
	g.r.uploaded = 0
	g.r.drawFrame(screen, &g.frame, g.s.Composer.Atlas())
	t2 := time.Now()
	gcs, alloc := g.probe.end()
	g.s.Timing(session.FrameCost{
		Ms: msBetween(t0, t2), ComposeMs: msBetween(t0, t1), QuadsMs: msBetween(t1, t2),
		GC: gcs, AllocKB: float64(alloc) / 1024,
		Glyphs: g.s.Composer.Rasterized() - glyphs, MapBuilt: g.s.Composer.MapGen() != mapGen,
		UploadKB: float64(g.r.uploaded) / 1024,
	})
}

func msBetween(a, b time.Time) float64 { return float64(b.Sub(a).Microseconds()) / 1000 }

// LayoutF draws at the device's real resolution: crisp on HiDPI screens,
// and pointer positions come in the same device pixels as the scene's.
func (g *game) LayoutF(w, h float64) (float64, float64) {
	g.scale = ebiten.Monitor().DeviceScaleFactor()
	if g.scale <= 0 {
		g.scale = 1
	}
	return w * g.scale, h * g.scale
}

func (g *game) Layout(w, h int) (int, int) { panic("LayoutF is used instead") }

// recover turns a panic into an error on the page instead of a dead tab.
func (g *game) recover(where string) {
	if v := recover(); v != nil {
		g.s.SetError(fmt.Sprintf("internal error in %s: %v", where, v))
	}
}

func (g *game) fatal(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.s.SetError("the renderer stopped: " + err.Error())
}
