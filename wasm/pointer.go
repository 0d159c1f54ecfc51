//go:build js && wasm

package main

import (
	"math"
	"sync"
	"syscall/js"
)

// click is a press and release of the primary button (or a tap) on the
// canvas at about the same place: (x, y) is where it was pressed, in CSS
// px from the canvas's corner, on a canvas of w x h CSS px.
type click struct {
	x, y, w, h             float64
	shift, alt, ctrl, meta bool
	pointerType            string
}

// pointerAt is where a mouse or pen is over the canvas: (x, y) in CSS px
// from its corner, on a canvas of w x h CSS px; on is false once it left.
type pointerAt struct {
	x, y, w, h float64
	on         bool
}

// pointerInput turns the canvas's DOM pointer events into clicks and a
// hover position for Update. ebiten samples the mouse once per frame, so
// a quick click whose press and release fall between two frames (common
// at 8-20 frames a second on a software renderer) was never seen; and a
// page with nothing moving sleeps in Update (frames.go), where ebiten's
// CursorPosition is not read at all. DOM events are never missed and wake
// the loop. The handlers only record: all state changes happen in Update.
type pointerInput struct {
	mu     sync.Mutex // the handlers run on JS's event goroutine
	down   map[int]click
	clicks []click
	spare  []click
	// at is the latest hover position, moved whether it changed since
	// Update last took it: only the latest matters.
	at    pointerAt
	moved bool
	funcs []js.Func // referenced for the life of the page
	// wake runs after a click or a move was recorded (it wakes a sleeping
	// loop, which then finds out whether anything changed).
	wake func()
}

// clickSlop is how far (CSS px) a pointer may move between press and
// release and still count as a click.
const clickSlop = 12

// listen attaches the handlers to canvas: presses on it, releases
// anywhere (a release just off the canvas still ends the press).
func (p *pointerInput) listen(canvas js.Value) {
	p.down = map[int]click{}
	if canvas.Type() != js.TypeObject {
		println("gossipscope: no canvas found; clicks on nodes will not select them")
		return
	}
	on := func(target js.Value, event string, fn func(e js.Value)) {
		f := js.FuncOf(func(this js.Value, args []js.Value) any {
			if len(args) > 0 {
				fn(args[0])
			}
			return nil
		})
		p.funcs = append(p.funcs, f)
		target.Call("addEventListener", event, f, map[string]any{"passive": true})
	}
	on(canvas, "pointerdown", func(e js.Value) {
		if !e.Get("isPrimary").Truthy() || e.Get("button").Int() != 0 {
			return
		}
		r := canvas.Call("getBoundingClientRect")
		c := click{
			x: e.Get("clientX").Float() - r.Get("left").Float(), y: e.Get("clientY").Float() - r.Get("top").Float(),
			w: r.Get("width").Float(), h: r.Get("height").Float(),
			shift: e.Get("shiftKey").Bool(), alt: e.Get("altKey").Bool(), ctrl: e.Get("ctrlKey").Bool(), meta: e.Get("metaKey").Bool(),
			pointerType: e.Get("pointerType").String(),
		}
		p.mu.Lock()
		p.down[e.Get("pointerId").Int()] = c
		p.mu.Unlock()
	})
	win := js.Global()
	on(win, "pointerup", func(e js.Value) {
		id := e.Get("pointerId").Int()
		r := canvas.Call("getBoundingClientRect")
		x, y := e.Get("clientX").Float()-r.Get("left").Float(), e.Get("clientY").Float()-r.Get("top").Float()
		p.mu.Lock()
		defer p.mu.Unlock()
		c, ok := p.down[id]
		if !ok {
			return
		}
		delete(p.down, id)
		if math.Hypot(x-c.x, y-c.y) <= clickSlop {
			p.clicks = append(p.clicks, c)
			p.wake()
		}
	})
	on(win, "pointercancel", func(e js.Value) {
		p.mu.Lock()
		delete(p.down, e.Get("pointerId").Int())
		p.mu.Unlock()
	})
	// Hover: a mouse or a pen (a finger has no hover; a tap selects).
	on(canvas, "pointermove", func(e js.Value) {
		if !e.Get("isPrimary").Truthy() || e.Get("pointerType").String() == "touch" {
			return
		}
		r := canvas.Call("getBoundingClientRect")
		at := pointerAt{
			x: e.Get("clientX").Float() - r.Get("left").Float(), y: e.Get("clientY").Float() - r.Get("top").Float(),
			w: r.Get("width").Float(), h: r.Get("height").Float(), on: true,
		}
		p.record(at)
	})
	// Leaving the canvas, also for the page's controls laid over it.
	on(canvas, "pointerleave", func(e js.Value) { p.record(pointerAt{}) })
}

func (p *pointerInput) record(at pointerAt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at == p.at {
		return
	}
	p.at, p.moved = at, true
	p.wake()
}

// hover returns the latest hover position if it changed since the last
// call.
func (p *pointerInput) hover() (pointerAt, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	moved := p.moved
	p.moved = false
	return p.at, moved
}

// take returns the clicks queued since the last call, oldest first. The
// slice is valid until the next call.
func (p *pointerInput) take() []click {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.clicks
	p.clicks, p.spare = p.spare[:0], out
	return out
}

// ebitenCanvas finds the canvas ebiten appended to the page's body.
func ebitenCanvas() js.Value {
	all := js.Global().Get("document").Call("querySelectorAll", "body > canvas")
	if n := all.Length(); n > 0 {
		return all.Index(n - 1)
	}
	return js.Null()
}

// hovered is the name card the last frame drew for the node under the
// pointer, for state().hover: {name, lines, box: [x, y, w, h] CSS px}, or
// null. Called with the lock held.
func (g *game) hovered() any {
	l, ok := g.s.Composer.Hovered()
	if !ok {
		return nil
	}
	lines := make([]any, len(l.Lines))
	for i, s := range l.Lines {
		lines[i] = s
	}
	k := float32(g.scale)
	x, y := g.s.InWindow(l.Box[0], l.Box[1])
	return map[string]any{
		"name": g.s.Player.NodeName(l.Node), "lines": lines,
		"box": []any{x, y, float64(l.Box[2] / k), float64(l.Box[3] / k)},
	}
}
