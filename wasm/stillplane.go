//go:build js && wasm

package main

import (
	"image"
	"math"
	"strconv"
	"syscall/js"

	"github.com/gossipscope/gossipscope/scene"
)

// stillPlane shows the still part of the frame (scene.Frame.Still: the
// nodes neither glowing nor growing, the names, the panel, every text) on
// a 2D canvas of its own just above ebiten's, when WebGL draws on the CPU.
// The browser redraws a WebGL canvas whole on every frame, and a software
// renderer pays for every triangle and pixel (SwiftShader: about 2.5 µs
// and 15 ns): the thousand still nodes and the panel were 6-7 ms of its
// GPU process's 13-15 a frame at 1,000 nodes (BenchmarkPageParts), while
// only a few change from frame to frame. On the plane they are drawn in
// Go (scene.RasterBoxes), only where the still part changed
// (scene.Damage), and handed to the browser with putImageData: a 2D canvas
// keeps its pixels, and the browser composites it with the rest of the
// page. Ebiten's canvas keeps what moves: messages, glows, the nodes that
// glow, and the node layer of a big cluster.
//
// The plane covers ebiten's canvas, lies over it and under the page's
// HTML (z-index 1; the page's overlays are 10 and up), and lets the
// pointer through. The renderer draws the whole frame in WebGL instead
// when the layout moves (every node changes), when the page asked for the
// canvas alone (setPlane(false): a recording captures only ebiten's
// canvas), or until the first frame is on screen.
type stillPlane struct {
	div, canvas, ctx js.Value
	made, shown      bool

	img      *image.RGBA // the canvas's size, premultiplied
	scale    float64     // device px per CSS px it was placed for
	damage   scene.Damage
	rects    []image.Rectangle
	restarts int // the atlas's Restarts when the image was drawn

	// putImageData takes straight alpha in a Uint8ClampedArray of exactly
	// the box's size: one buffer, views of it per box.
	straight []byte
	buf      js.Value
	bufLen   int
}

// planeMaxBoxes is how many boxes the plane redraws one by one before it
// draws itself whole: at 1,000 nodes about 20 nodes start or stop glowing
// a frame while news spreads, each a box.
const planeMaxBoxes = 256

// make creates the plane's canvas at the end of the body, after ebiten's
// (which stays the first canvas of the document): z-index 1 lays it above
// ebiten's canvas (not positioned) and under every overlay of the page
// (z-index 10 and up).
func (p *stillPlane) make() bool {
	if p.made {
		return p.ctx.Truthy()
	}
	p.made = true
	p.damage.MaxBoxes = planeMaxBoxes
	doc := js.Global().Get("document")
	body := doc.Get("body")
	if !body.Truthy() {
		return false
	}
	p.div = doc.Call("createElement", "div")
	p.div.Set("id", "still-plane")
	st := p.div.Get("style")
	st.Set("cssText", "position:absolute;left:0;top:0;z-index:1;pointer-events:none;display:none;margin:0;padding:0")
	p.canvas = doc.Call("createElement", "canvas")
	p.canvas.Get("style").Set("cssText", "display:block;width:100%;height:100%;background:transparent")
	p.div.Call("appendChild", p.canvas)
	body.Call("appendChild", p.div)
	p.ctx = p.canvas.Call("getContext", "2d")
	return p.ctx.Truthy()
}

// show draws batch b, the still part of a w x h device px frame, on the
// plane and shows it; false when there is no 2D canvas (the renderer then
// draws the whole frame in WebGL).
func (p *stillPlane) show(b *scene.Batch, w, h int, a *scene.Atlas, scale float64) bool {
	if w <= 0 || h <= 0 || !p.make() {
		return false
	}
	// What the atlas gains goes where no shape pointed: only a band emptied
	// and filled anew can change what a shape unchanged draws.
	full := a.Restarts() != p.restarts || !p.shown
	p.restarts = a.Restarts()
	if p.img == nil || p.img.Rect.Dx() != w || p.img.Rect.Dy() != h || p.scale != scale {
		p.place(w, h, scale)
		full = true
	}
	if full {
		p.damage.Forget()
	}
	boxes, whole := p.damage.Next(b, scene.Box{0, 0, float32(w), float32(h)})
	if full || whole {
		clear(p.img.Pix)
		scene.RasterBatch(p.img, image.Point{}, p.img.Rect, b, a.Img)
		p.put(p.img.Rect)
	} else if len(boxes) > 0 {
		// The boxes (apart) cleared and drawn again from the whole batch,
		// only their pixels: the very computation of a whole redraw there,
		// so the image stays the same as one drawn whole.
		p.rects = p.rects[:0]
		for _, d := range boxes {
			r := p.local(d)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				clear(p.img.Pix[p.img.PixOffset(r.Min.X, y):p.img.PixOffset(r.Max.X, y)])
			}
			p.rects = append(p.rects, r)
		}
		scene.RasterBoxes(p.img, image.Point{}, p.rects, b, a.Img)
		for _, r := range p.rects {
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
func (p *stillPlane) hide() {
	if p.shown {
		p.div.Get("style").Set("display", "none")
		p.shown = false
	}
}

// place sizes the plane for a canvas of w x h device px.
func (p *stillPlane) place(w, h int, scale float64) {
	p.scale = scale
	p.img = image.NewRGBA(image.Rect(0, 0, w, h))
	p.canvas.Set("width", w)
	p.canvas.Set("height", h)
	css := func(v int) string { return strconv.FormatFloat(float64(v)/scale, 'f', -1, 64) + "px" }
	st := p.div.Get("style")
	st.Set("width", css(w))
	st.Set("height", css(h))
}

// local turns a box of the batch (canvas device px) into the plane's
// pixels.
func (p *stillPlane) local(b scene.Box) image.Rectangle {
	r := image.Rect(int(math.Floor(float64(b[0]))), int(math.Floor(float64(b[1]))), int(math.Ceil(float64(b[2]))), int(math.Ceil(float64(b[3]))))
	return r.Intersect(p.img.Rect)
}

// put hands rectangle r of the image to the browser: straight alpha, as
// ImageData wants it.
func (p *stillPlane) put(r image.Rectangle) {
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
