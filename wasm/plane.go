//go:build js && wasm

package main

import (
	"image"
	"math"
	"strconv"
	"syscall/js"

	"github.com/gossipscope/gossipscope/scene"
)

// panelPlane shows the panel (scene.Frame.Panel: counters, chart, legend)
// on a 2D canvas of its own, just above ebiten's, when WebGL draws on the
// CPU. The browser redraws a WebGL canvas whole on every frame, and a
// software renderer pays for every pixel (SwiftShader: about 15 ns each):
// the panel's quad was about 3 ms of its GPU process's 15.6 a frame at
// 1,000 nodes (BenchmarkPageParts), while only a few of its values and
// chart columns change from frame to frame. On the plane the panel is
// drawn in Go (scene.RasterBatch), only where its batch changed
// (scene.Damage), and handed to the browser with putImageData: a 2D canvas
// keeps its pixels, and the browser composites it with the rest of the
// page.
//
// The plane lies over ebiten's canvas and under the page's HTML
// (z-index 1; the page's overlays are 10 and up), and lets the pointer
// through. The shapes of the Over batch that lie on the panel (the
// chart's playhead) are drawn on the plane with it. The renderer draws the
// panel in WebGL instead whenever the plane would not show the same
// picture: a shape of Over lies across the panel's edge, the page asked
// for the canvas alone (setPanelPlane(false): a recording captures only
// ebiten's canvas), or before the first frame.
type panelPlane struct {
	div, canvas, ctx js.Value
	made, shown      bool

	img      *image.RGBA // the panel's box, premultiplied
	org      image.Point // the box's corner on the canvas, device px
	scale    float64     // device px per CSS px it was placed for
	damage   scene.Damage
	restarts int // the atlas's Restarts when the image was drawn

	// putImageData takes straight alpha in a Uint8ClampedArray of exactly
	// the box's size: one buffer, views of it per box.
	straight []byte
	buf      js.Value
	bufLen   int
}

// make creates the plane's canvas at the end of the body, after ebiten's
// (which stays the first canvas of the document): z-index 1 lays it above
// ebiten's canvas (not positioned) and under every overlay of the page
// (z-index 10 and up).
func (p *panelPlane) make() bool {
	if p.made {
		return p.ctx.Truthy()
	}
	p.made = true
	doc := js.Global().Get("document")
	body := doc.Get("body")
	if !body.Truthy() {
		return false
	}
	p.div = doc.Call("createElement", "div")
	p.div.Set("id", "panel-plane")
	st := p.div.Get("style")
	st.Set("cssText", "position:absolute;left:0;top:0;z-index:1;pointer-events:none;display:none;margin:0;padding:0")
	p.canvas = doc.Call("createElement", "canvas")
	p.canvas.Get("style").Set("cssText", "display:block;width:100%;height:100%;background:transparent")
	p.div.Call("appendChild", p.canvas)
	body.Call("appendChild", p.div)
	p.ctx = p.canvas.Call("getContext", "2d")
	return p.ctx.Truthy()
}

// show draws batch b, the panel in its box (canvas device px, whole px),
// on the plane and shows it; false when there is no panel or no 2D canvas
// (the renderer then draws the panel in WebGL).
func (p *panelPlane) show(b *scene.Batch, box scene.Box, a *scene.Atlas, scale float64) bool {
	if !(box[2] > box[0] && box[3] > box[1]) || !p.make() { // NaN too
		return false
	}
	org := image.Pt(int(box[0]), int(box[1]))
	w, h := int(box[2])-org.X, int(box[3])-org.Y
	// What the atlas gains goes where no shape pointed: only a band emptied
	// and filled anew can change what a shape unchanged draws.
	full := a.Restarts() != p.restarts || !p.shown
	p.restarts = a.Restarts()
	if p.img == nil || p.org != org || p.img.Rect.Dx() != w || p.img.Rect.Dy() != h || p.scale != scale {
		p.place(org, w, h, scale)
		full = true
	}
	if full {
		p.damage.Forget()
	}
	boxes, whole := p.damage.Next(b, box)
	if full || whole {
		clear(p.img.Pix)
		scene.RasterBatch(p.img, org, p.img.Rect, b, a.Img)
		p.put(p.img.Rect)
	} else {
		// Each box cleared and drawn again from the whole batch, only its
		// pixels: the very computation of a whole redraw there, so the
		// image stays the same as one drawn whole. A shape outside the box
		// costs a test of its bounds.
		for _, d := range boxes {
			r := p.local(d)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				clear(p.img.Pix[p.img.PixOffset(r.Min.X, y):p.img.PixOffset(r.Max.X, y)])
			}
			scene.RasterBatch(p.img, org, r, b, a.Img)
			p.put(r)
		}
	}
	if !p.shown {
		p.div.Get("style").Set("display", "block")
		p.shown = true
	}
	return true
}

// hide takes the plane off the page; the next show draws it whole.
func (p *panelPlane) hide() {
	if p.shown {
		p.div.Get("style").Set("display", "none")
		p.shown = false
	}
}

// place sizes the plane for a box of w x h device px at org on the canvas.
func (p *panelPlane) place(org image.Point, w, h int, scale float64) {
	p.org, p.scale = org, scale
	p.img = image.NewRGBA(image.Rect(0, 0, w, h))
	p.canvas.Set("width", w)
	p.canvas.Set("height", h)
	css := func(v int) string { return strconv.FormatFloat(float64(v)/scale, 'f', -1, 64) + "px" }
	st := p.div.Get("style")
	st.Set("left", css(org.X))
	st.Set("top", css(org.Y))
	st.Set("width", css(w))
	st.Set("height", css(h))
	// Where its pixels lie on ebiten's canvas, for a copy of both
	// (web/export.js).
	ds := p.div.Get("dataset")
	ds.Set("x", org.X)
	ds.Set("y", org.Y)
}

// local turns a box of the batch (canvas device px) into the plane's
// pixels.
func (p *panelPlane) local(b scene.Box) image.Rectangle {
	r := image.Rect(int(math.Floor(float64(b[0]))), int(math.Floor(float64(b[1]))), int(math.Ceil(float64(b[2]))), int(math.Ceil(float64(b[3]))))
	return r.Sub(p.org).Intersect(p.img.Rect)
}

// put hands rectangle r of the image to the browser: straight alpha, as
// ImageData wants it.
func (p *panelPlane) put(r image.Rectangle) {
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return
	}
	n := 4 * w * h
	if cap(p.straight) < n {
		p.straight = make([]byte, n)
	}
	out := p.straight[:n]
	for y := 0; y < h; y++ {
		row := p.img.Pix[p.img.PixOffset(r.Min.X, r.Min.Y+y):][:4*w]
		o := out[4*w*y:][:4*w]
		for i := 0; i < len(row); i += 4 {
			a := uint32(row[i+3])
			switch a {
			case 0:
				o[i], o[i+1], o[i+2], o[i+3] = 0, 0, 0, 0
			case 255:
				copy(o[i:i+4], row[i:i+4])
			default:
				o[i] = uint8(min(255, (uint32(row[i])*255+a/2)/a))
				o[i+1] = uint8(min(255, (uint32(row[i+1])*255+a/2)/a))
				o[i+2] = uint8(min(255, (uint32(row[i+2])*255+a/2)/a))
				o[i+3] = uint8(a)
			}
		}
	}
	if p.bufLen < n {
		p.bufLen = max(n, p.img.Rect.Dx()*p.img.Rect.Dy()*4)
		p.buf = js.Global().Get("ArrayBuffer").New(p.bufLen)
	}
	arr := js.Global().Get("Uint8ClampedArray").New(p.buf, 0, n)
	js.CopyBytesToJS(arr, out)
	data := js.Global().Get("ImageData").New(arr, w, h)
	p.ctx.Call("putImageData", data, r.Min.X, r.Min.Y)
}
