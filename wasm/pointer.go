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

// pointerInput turns the canvas's DOM pointer events into clicks for
// Update. ebiten samples the mouse once per frame, so a quick click whose
// press and release fall between two frames (common at 8-20 frames a
// second on a software renderer) was never seen; DOM events are never
// missed. The handlers only record: all state changes happen in Update.
type pointerInput struct {
	mu     sync.Mutex // the handlers run on JS's event goroutine
	down   map[int]click
	clicks []click
	spare  []click
	funcs  []js.Func // referenced for the life of the page
	// onClick runs after a click was queued (it wakes a sleeping loop).
	onClick func()
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
			if p.onClick != nil {
				p.onClick()
			}
		}
	})
	on(win, "pointercancel", func(e js.Value) {
		p.mu.Lock()
		delete(p.down, e.Get("pointerId").Int())
		p.mu.Unlock()
	})
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
