//go:build js && wasm

package main

import (
	"hash/maphash"
	"image/color"
	"sync/atomic"
	"unsafe"

	"github.com/gossipscope/gossipscope/scene"
	"github.com/gossipscope/gossipscope/wasm/session"
)

// frameState remembers what the last frame was drawn from, so that a page
// with nothing moving (paused, finished, or live with nothing arriving)
// draws no new frames: Draw returns without touching ebiten's offscreen
// image, and ebiten then stops presenting (SetScreenClearedEveryFrame is
// off), so the browser keeps the picture on screen at no cost.
type frameState struct {
	frames  uint64   // new pictures drawn since the page started (state().frames)
	gen     uint64   // bumped by every API call that may change the picture, and by clicks
	lastKey frameKey // what the last composed frame was made of
	lastSig uint64   // the last drawn frame's contents; 0 when not known
	still   int      // Draws in a row that found nothing new
	// wake ends a sleep (poke); sleeping says the loop sleeps now.
	wake     chan struct{}
	sleeping atomic.Bool
	seed     maphash.Seed
	// quiet says the page may have stopped following the frames (Draws
	// found nothing new): the next new frame tells it, through onWake. The
	// page asks nothing while the loop sleeps, so this call is how it
	// learns to look again when the picture changes without a call of the
	// API (a click or a hover on the canvas, a resize).
	quiet  bool
	onWake func() // set by the bridge: calls the page's gossipscope.onWake
}

// frameKey is everything a frame depends on: the player's time (a live
// playhead past the newest event holds it), the events known, the screen
// and every setting (through gen). The picture is a
// function of these alone (the scene never reads the wall clock).
type frameKey struct {
	t, horizon    float64
	events        int
	playing, done bool
	w, h, scale   float64
	gen           uint64
}

// touch records that something the picture may depend on changed, and
// wakes the loop if it sleeps. Called with the lock held. The count of
// Draws that found nothing new starts again: until Draw has seen the
// change, the loop may not sleep and the page is not idle. (ebiten runs
// several Updates per frame when frames come slowly, as on a loaded
// machine: the Update that took a pointer move or a click consumed its
// own poke in sleep, and the next one, still counting the old quiet
// Draws, slept with the change never drawn, until the next event.)
func (g *game) touch() {
	g.gen++
	g.still = 0
	g.poke()
}

// sleepAfter is how many Draws in a row must find nothing new before the
// loop may sleep (a few frames: the last change is on screen).
const sleepAfter = 6

// maySleep reports whether nothing can change the picture until the user,
// the page or the stream acts: paused or finished with the simulator done
// computing, or live with every event received played out. Playing a
// simulation never sleeps: its next events are already known. Called with
// the lock held.
func (g *game) maySleep() bool {
	if g.still < sleepAfter || g.s.Composer.MapPending() {
		return false
	}
	pb, p := g.s.Playback, g.s.Player
	if !pb.Playing {
		return g.s.Source() != session.SourceSim || p.Done()
	}
	return pb.Live && pb.T >= p.Duration()
}

// sleep blocks ebiten's loop (inside Update, with the lock released) until
// poke: no animation frames are requested meanwhile, so the browser does
// no work for the page at all. Every way the picture can change pokes: a
// call of the JS API that is not a pure read (touch), a pointer event on
// the canvas, a resize.
func (g *game) sleep() {
	g.sleeping.Store(true)
	<-g.wake
	g.sleeping.Store(false)
}

// tellWake tells the page that the canvas drew again after a quiet spell.
// A wake alone does not: the wake that changes nothing (a pointer moving
// over empty space) would only make the page look for nothing. Called
// without the lock.
func (g *game) tellWake() {
	if g.onWake != nil {
		g.callJS(g.onWake)
	}
}

// poke wakes the loop if it sleeps (and makes the next sleep return at
// once otherwise, which is harmless). Safe from any goroutine.
func (g *game) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// needsFrame reports whether a new frame must be composed: something it
// depends on changed since the last one, or the node layer's map is still
// being built (a slice a frame: a page paused right after a resize would
// otherwise sleep with the nodes drawn as quads). Called with the lock
// held.
func (g *game) needsFrame() bool {
	p := g.s.Player
	k := frameKey{
		t: p.Now(), horizon: p.Horizon(), events: p.Len(), playing: g.s.Playback.Playing, done: p.Done(),
		w: g.lw, h: g.lh, scale: g.scale, gen: g.gen,
	}
	if k == g.lastKey && g.frames > 0 && !g.s.Composer.MapPending() {
		g.still++
		return false
	}
	g.lastKey = k
	return true
}

// redraw makes the next frame count as new though the scene composes the
// same batches: the renderer was told to draw them otherwise (leaveOut,
// setPlane). Call it with the lock held.
func (g *game) redraw() { g.lastSig = 0 }

// changed reports whether the frame just composed differs from the one on
// screen. Messages in flight move whenever the playhead does, so such a
// frame is new without looking; otherwise (a live stream with nothing
// arriving, a paused page whose simulator is still computing ahead) the
// frame's contents are compared through a hash.
func (g *game) changed() bool {
	f := &g.frame
	if f.Packets > 0 && g.lastKey.playing {
		g.lastSig, g.still = 0, 0
		return true
	}
	sig := g.frameSig()
	if sig == g.lastSig {
		g.still++
		return false
	}
	g.lastSig = sig
	g.still = 0
	return true
}

// frameSig hashes what a frame draws: the batches' vertices and indices
// and the node layer's place, generations and uniforms.
func (g *game) frameSig() uint64 {
	if g.seed == (maphash.Seed{}) {
		g.seed = maphash.MakeSeed()
	}
	var h maphash.Hash
	h.SetSeed(g.seed)
	f := &g.frame
	for _, b := range []*scene.Batch{&f.Under, &f.Panel, &f.Over} {
		writeSlice(&h, b.Vertices)
		writeSlice(&h, b.Indices)
	}
	if l := f.Nodes; l != nil && l.On {
		hdr := [...]float64{float64(l.X), float64(l.Y), float64(l.W), float64(l.H), float64(l.MapGen), float64(l.TableGen),
			float64(l.Radius), float64(l.Reach), float64(l.GlowRadius)}
		writeSlice(&h, hdr[:])
	}
	sig := h.Sum64()
	if sig == 0 {
		sig = 1 // 0 means "not known"
	}
	return sig
}

// writeSlice feeds a slice's bytes to h.
func writeSlice[T any](h *maphash.Hash, s []T) {
	if len(s) == 0 {
		h.WriteByte(0)
		return
	}
	var z T
	h.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z))))
}

// markColor is what Draw writes to the 1x1 offscreen image to tell ebiten
// the frame is new: any drawing does; the colour varies only so that the
// write is never a no-op anywhere.
func markColor(n uint64) color.RGBA { return color.RGBA{uint8(n), 0, 0, 255} }

// idle reports whether the page has stopped drawing: its last checks
// found nothing new to draw (or its loop sleeps).
func (g *game) idle() bool { return g.still >= 2 || g.sleeping.Load() }

// geometry is the scene's layout, device px from the window's corner: for
// the page benchmark's baseline, and for tests that check what covers
// what.
func (g *game) geometry() map[string]any {
	geo := g.s.Composer.Geometry()
	ox, oy := g.s.Origin()
	ox, oy = ox*g.scale, oy*g.scale
	box := func(r [4]float32) []any {
		if r[2] == 0 && r[3] == 0 {
			return []any{float64(r[0]), float64(r[1]), 0.0, 0.0} // none drawn
		}
		return []any{ox + float64(r[0]), oy + float64(r[1]), float64(r[2]), float64(r[3])}
	}
	names := make([]any, len(geo.Names))
	for i, b := range geo.Names {
		names[i] = box(b)
	}
	nodes := make([]any, len(geo.Nodes))
	for i, p := range geo.Nodes {
		nodes[i] = []any{ox + float64(p[0]), oy + float64(p[1])}
	}
	return map[string]any{"disc": box(geo.Disc), "panel": box(geo.Panel), "nodeR": float64(geo.NodeR), "dotR": float64(geo.DotR),
		"caption": box(geo.Caption), "names": names, "nodes": nodes,
		"chart": box(geo.Chart), "chartT": []any{geo.ChartT[0], geo.ChartT[1]}, "ticks": []any{geo.Ticks[0], geo.Ticks[1]}}
}

// texts lists every string the last frame drew with its box {s, x, y, w,
// h} in the window's CSS px, so that the page's tests can check that nothing of the
// page's HTML covers a label of the canvas. Called with the lock held.
func (g *game) texts() []any {
	k := float32(g.scale)
	if k <= 0 {
		k = 1
	}
	out := make([]any, 0, len(g.frame.Texts))
	for _, t := range g.frame.Texts {
		w := g.s.Composer.Measure(t.S, t.Size, t.Bold)
		x := t.X
		switch t.Align {
		case scene.AlignCenter:
			x -= w / 2
		case scene.AlignRight:
			x -= w
		}
		wx, wy := g.s.InWindow(x, t.Y)
		out = append(out, map[string]any{"s": t.S, "x": wx, "y": wy, "w": float64(w / k), "h": float64(t.Size * 1.2 / k)})
	}
	return out
}
