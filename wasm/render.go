//go:build js && wasm

package main

import (
	"image"
	"math"
	"unsafe"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/gossipscope/gossipscope/scene"
)

// scene.Vertex must stay layout-identical to ebiten.Vertex: this
// conversion only compiles while the two structs have the same fields.
var _ = ebiten.Vertex(scene.Vertex{})

// renderer copies scene frames to the screen: the Under batch, the node
// layer, the Over batch (shapes and text alike are quads and triangles of
// one atlas image, so each batch is one DrawTriangles call per 65,536
// vertices). Using an image drawn to in the same frame makes ebiten flush,
// so the only image drawn to is the panel's (panelCache), and only on the
// rare frames its content changed; the others are written with
// WritePixels, only when the scene changed them (new glyphs, a new node
// map, node colours).
type renderer struct {
	atlas *ebiten.Image
	// Scaled sprites need linear filtering for smooth edges; the rest
	// (solid shapes, glyphs at whole pixels) look the same sampled once,
	// for a quarter of the texture reads (scene.Chunk).
	linear, nearest ebiten.DrawTrianglesOptions
	// copied draws the panel's image where nothing is under it
	// (scene.Frame.PanelAlone): the same pixels, without reading and
	// blending the ones below.
	copied  ebiten.DrawTrianglesOptions
	scratch []byte
	// uploaded counts the bytes written to GPU images this frame.
	uploaded int

	nodes nodeRenderer
	panel panelCache

	// plane shows the still part of the frame on a 2D canvas of its own
	// (stillplane.go) when planeWanted (a software renderer, once the
	// first frame is on screen, unless the page asked for the canvas
	// alone); scale is the device px per CSS px of the frame drawn.
	// moving and still are the frame's two parts (scene.Frame.SplitStill)
	// while it shows.
	plane         stillPlane
	planeWanted   bool
	scale         float64
	moving, still scene.Batch

	// leftOut names the parts of the frame not drawn (leaveOut in the JS
	// API): a diagnostic, so that a benchmark can tell what each part
	// costs the browser in the same page (docs/benchmarks.md).
	leftOut scene.Parts
}

// panelCache keeps the panel (scene.Frame.Panel) in an image of the
// screen's size, drawn on a frame only where its batch changed
// (scene.Damage): a few values and chart columns change at a time, so the
// counters, the legend, the chart and its texts cost one textured quad a
// frame instead of hundreds of blended ones.
type panelCache struct {
	img    *ebiten.Image
	damage scene.Damage // what changed since img was drawn
	clip   scene.Batch
	quad   [4]ebiten.Vertex
	// The boxes to clear, a quad each, drawn at once with BlendClear.
	clearV []ebiten.Vertex
	clearI []uint16
	clear  ebiten.DrawTrianglesOptions
}

// clearBoxes makes the boxes of the cache transparent in one draw call
// onto the whole image: a SubImage per box would be a draw call and a
// scissor change each, and those cost the GPU process more than the
// pixels. The source is ignored (BlendClear writes zero).
func (pc *panelCache) clearBoxes(r *renderer, boxes []scene.Box) {
	pc.clearV, pc.clearI = pc.clearV[:0], pc.clearI[:0]
	for _, b := range boxes {
		v := uint16(len(pc.clearV))
		for i := 0; i < 4; i++ {
			x, y := b[0], b[1]
			if i&1 != 0 {
				x = b[2]
			}
			if i&2 != 0 {
				y = b[3]
			}
			pc.clearV = append(pc.clearV, ebiten.Vertex{DstX: x, DstY: y, ColorA: 1})
		}
		pc.clearI = append(pc.clearI, v, v+1, v+2, v+1, v+3, v+2)
	}
	pc.clear.Blend = ebiten.BlendClear
	pc.img.DrawTriangles(pc.clearV, pc.clearI, r.atlas, &pc.clear)
}

// draw puts f's panel on screen, first redrawing in the cache what
// changed (drawing to an image used in the same frame makes ebiten flush,
// which only those frames pay): the boxes cleared in one draw call, then
// the shapes reaching into them, cut to them (scene.Batch.Clip), drawn
// onto the whole image in one call per run, whatever the number of boxes. A change in the atlas (new glyphs, or the
// glyph area started over) redraws it all.
func (pc *panelCache) draw(r *renderer, screen drawTarget, f *scene.Frame, atlasChanged bool) (drew bool) {
	box := f.PanelBox
	if !(box[2] > box[0] && box[3] > box[1]) {
		return false
	}
	w, h := int(math.Ceil(float64(f.W))), int(math.Ceil(float64(f.H)))
	if pc.img == nil || pc.img.Bounds().Dx() != w || pc.img.Bounds().Dy() != h {
		if pc.img != nil {
			pc.img.Deallocate()
		}
		pc.img = ebiten.NewImageWithOptions(image.Rect(0, 0, w, h), &ebiten.NewImageOptions{Unmanaged: true})
		pc.damage.Forget()
	}
	boxes, full := pc.damage.Next(&f.Panel, scene.Box{0, 0, float32(w), float32(h)})
	if full || atlasChanged {
		pc.img.Clear()
		r.drawBatch(pc.img, &f.Panel)
	} else if len(boxes) > 0 {
		pc.clearBoxes(r, boxes)
		f.Panel.Clip(boxes, &pc.clip)
		r.drawBatch(pc.img, &pc.clip)
	}
	for i := range pc.quad {
		x, y := box[0], box[1]
		if i&1 != 0 {
			x = box[2]
		}
		if i&2 != 0 {
			y = box[3]
		}
		pc.quad[i] = ebiten.Vertex{DstX: x, DstY: y, SrcX: x, SrcY: y, ColorR: 1, ColorG: 1, ColorB: 1, ColorA: 1}
	}
	opts := &r.nearest
	if f.PanelAlone() {
		opts = &r.copied
	}
	screen.DrawTriangles(pc.quad[:], quadIndices, pc.img, opts)
	return true
}

func newRenderer() *renderer {
	r := &renderer{atlas: ebiten.NewImage(scene.AtlasW, scene.AtlasH)}
	r.linear.Filter = ebiten.FilterLinear
	r.nearest.Filter = ebiten.FilterNearest
	r.copied.Filter, r.copied.Blend = ebiten.FilterNearest, ebiten.BlendCopy
	// The node shader is compiled the first time a frame has a node layer
	// (scene.LayerMinNodes nodes and more): Kage's compiler takes 50-80 ms
	// as the page starts, which smaller clusters do not wait for.
	return r
}

// uploadAtlas writes the part of the atlas the scene changed (all of it at
// first, then only where new glyphs went).
func (r *renderer) uploadAtlas(a *scene.Atlas) bool {
	d := a.TakeDirty()
	if d.Empty() {
		return false
	}
	r.scratch = subPixels(a.Img, d, r.scratch)
	r.atlas.SubImage(d).(*ebiten.Image).WritePixels(r.scratch)
	r.uploaded += len(r.scratch)
	return true
}

// subPixels copies rectangle d of img into buf, rows packed.
func subPixels(img *image.RGBA, d image.Rectangle, buf []byte) []byte {
	n := d.Dx() * d.Dy() * 4
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	w := d.Dx() * 4
	for y := d.Min.Y; y < d.Max.Y; y++ {
		o := img.PixOffset(d.Min.X, y)
		copy(buf[(y-d.Min.Y)*w:], img.Pix[o:o+w])
	}
	return buf
}

// drawTarget is where frames are drawn: ebiten's final screen (or any
// image).
type drawTarget interface {
	DrawTriangles(vertices []ebiten.Vertex, indices []uint16, img *ebiten.Image, options *ebiten.DrawTrianglesOptions)
	DrawTrianglesShader(vertices []ebiten.Vertex, indices []uint16, shader *ebiten.Shader, options *ebiten.DrawTrianglesShaderOptions)
}

// drawFrame draws f onto a cleared (transparent) screen: the background
// colour is the canvas's CSS background, so it costs no pass of its own.
// With the plane, the canvas gets only the moving part of the frame.
func (r *renderer) drawFrame(screen drawTarget, f *scene.Frame, a *scene.Atlas) {
	atlasChanged := r.uploadAtlas(a)
	out := r.leftOut
	drew := false // anything went onto the canvas
	if r.planeWanted && f.SplitStill(&r.moving, &r.still, out) &&
		r.plane.show(&r.still, int(math.Ceil(float64(f.W))), int(math.Ceil(float64(f.H))), a, r.scale) {
		r.panel.damage.Forget() // stale while the plane shows the panel
		r.drawBatch(screen, &r.moving)
		drew = r.drawNodeLayer(screen, f) || len(r.moving.Indices) > 0
	} else {
		r.plane.hide()
		drew = r.drawWhole(screen, f, atlasChanged)
	}
	if !drew {
		// Nothing went onto the canvas (all on the plane, or left out): a
		// WebGL canvas nothing was drawn on is not presented again, and
		// would keep the last picture. One transparent triangle of a pixel
		// makes the browser present its cleared buffer; a clear by ebiten
		// would be a full-screen pass.
		screen.DrawTriangles(blankTriangle[:], blankIndices[:], r.atlas, &r.nearest)
	}
}

// drawWhole draws all of f onto the canvas, the panel from its cache,
// and reports whether anything was drawn.
func (r *renderer) drawWhole(screen drawTarget, f *scene.Frame, atlasChanged bool) (drew bool) {
	out := r.leftOut
	if !out.Under {
		r.drawBatch(screen, &f.Under)
		drew = len(f.Under.Indices) > 0
	}
	drew = r.drawNodeLayer(screen, f) || drew
	if out.Panel {
		r.panel.damage.Forget() // drawn whole when it comes back
	} else {
		drew = r.panel.draw(r, screen, f, atlasChanged) || drew
	}
	if !out.Over {
		r.drawBatch(screen, &f.Over)
		drew = drew || len(f.Over.Indices) > 0
	}
	return drew
}

// drawNodeLayer draws f's node layer when it is on (and not left out),
// and reports whether it did.
func (r *renderer) drawNodeLayer(screen drawTarget, f *scene.Frame) bool {
	if f.Nodes == nil || !f.Nodes.On || r.leftOut.NodeLayer {
		return false
	}
	r.uploaded += r.nodes.draw(screen, f.Nodes)
	return true
}

// blankTriangle draws nothing (alpha 0) over one pixel.
var (
	blankTriangle = [3]ebiten.Vertex{{DstX: 0, DstY: 0}, {DstX: 1, DstY: 0}, {DstX: 0, DstY: 1}}
	blankIndices  = [3]uint16{0, 1, 2}
)

func (r *renderer) drawBatch(screen drawTarget, b *scene.Batch) {
	for _, ch := range b.Chunks() {
		verts := b.Vertices[ch.V0:ch.V1]
		ev := unsafe.Slice((*ebiten.Vertex)(unsafe.Pointer(unsafe.SliceData(verts))), len(verts))
		opts := &r.nearest
		if ch.Linear {
			opts = &r.linear
		}
		screen.DrawTriangles(ev, b.Indices[ch.I0:ch.I1], r.atlas, opts)
	}
}
