//go:build js && wasm

package main

import (
	"bytes"
	"math"
	"unsafe"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/gossipscope/gossipscope/scene"
	"github.com/gossipscope/gossipscope/scene/session"
)

// scene.Vertex must stay layout-identical to ebiten.Vertex: this
// conversion only compiles while the two structs have the same fields.
var _ = ebiten.Vertex(scene.Vertex{})

// renderer copies scene frames to the screen: every quad in a few
// DrawTriangles calls on one atlas image, then the texts.
type renderer struct {
	atlas   *ebiten.Image
	triOpts ebiten.DrawTrianglesOptions
	regular *text.GoTextFaceSource
	bold    *text.GoTextFaceSource
	faces   map[faceKey]*text.GoTextFace
	imgOp   ebiten.DrawImageOptions
	glyphs  map[glyphKey]*glyph

	frameNo uint64
}

type faceKey struct {
	size int // tenths of a px
	bold bool
}

func newRenderer() *renderer {
	r := &renderer{atlas: ebiten.NewImageFromImage(scene.Atlas()), faces: map[faceKey]*text.GoTextFace{}, glyphs: map[glyphKey]*glyph{}}
	r.triOpts.Filter = ebiten.FilterLinear // sprites are scaled: smooth edges
	var err error
	if r.regular, err = text.NewGoTextFaceSource(bytes.NewReader(goregular.TTF)); err != nil {
		panic(err) // the embedded font is part of the binary: cannot fail at run time
	}
	if r.bold, err = text.NewGoTextFaceSource(bytes.NewReader(gobold.TTF)); err != nil {
		panic(err)
	}
	return r
}

func (r *renderer) face(size float32, bold bool) *text.GoTextFace {
	k := faceKey{int(math.Round(float64(size) * 10)), bold}
	f, ok := r.faces[k]
	if !ok {
		src := r.regular
		if bold {
			src = r.bold
		}
		f = &text.GoTextFace{Source: src, Size: float64(k.size) / 10}
		r.faces[k] = f
	}
	return f
}

// measure is the scene's MeasureFunc with the real font.
func (r *renderer) measure(s string, size float32) float32 {
	return float32(r.advance(s, size, false))
}

// drawQuads fills the background and draws every quad of the frame.
func (r *renderer) drawQuads(screen *ebiten.Image, f *scene.Frame) {
	bg := scene.ColBackground.RGBA()
	screen.Fill(bg)
	verts := f.Batch.Vertices
	for off := 0; off < len(verts); off += scene.QuadsPerDraw * 4 {
		chunk := verts[off:min(len(verts), off+scene.QuadsPerDraw*4)]
		ev := unsafe.Slice((*ebiten.Vertex)(unsafe.Pointer(unsafe.SliceData(chunk))), len(chunk))
		screen.DrawTriangles(ev, f.Batch.Indices(len(chunk)/4), r.atlas, &r.triOpts)
	}
}

// drawTexts draws the frame's texts over the quads from cached glyphs:
// text/v2 shapes every new string, which costs milliseconds in wasm, and
// the counters change every frame while the news spreads. Nothing is drawn
// to an offscreen image first: using an image drawn to in the same frame
// makes ebiten flush, which costs more than it saves.
func (r *renderer) drawTexts(screen *ebiten.Image, f *scene.Frame) {
	for i := range f.Texts {
		if f.Texts[i].S != "" {
			r.drawGlyphs(screen, &f.Texts[i])
		}
	}
}

type glyphKey struct {
	face faceKey
	r    rune
}

type glyph struct {
	img  *ebiten.Image // nil for blanks
	x, y float64       // image position from the pen, top of the line
	adv  float64
}

// glyph returns rune c of a face, shaping it alone once.
func (r *renderer) glyph(size float32, bold bool, c rune) *glyph {
	fk := faceKey{int(math.Round(float64(size) * 10)), bold}
	k := glyphKey{fk, c}
	if g, ok := r.glyphs[k]; ok {
		return g
	}
	face := r.face(size, bold)
	s := string(c)
	g := &glyph{adv: text.Advance(s, face)}
	if gs := text.AppendGlyphs(nil, s, face, nil); len(gs) > 0 {
		g.img, g.x, g.y = gs[0].Image, gs[0].X, gs[0].Y
	}
	r.glyphs[k] = g
	return g
}

// advance is the width of s from cached glyphs (no kerning: close enough
// for labels and numbers).
func (r *renderer) advance(s string, size float32, bold bool) float64 {
	w := 0.0
	for _, c := range s {
		w += r.glyph(size, bold, c).adv
	}
	return w
}

func (r *renderer) drawGlyphs(screen *ebiten.Image, t *scene.Text) {
	x := float64(t.X)
	switch t.Align {
	case scene.AlignCenter:
		x -= r.advance(t.S, t.Size, t.Bold) / 2
	case scene.AlignRight:
		x -= r.advance(t.S, t.Size, t.Bold)
	}
	x = math.Round(x)
	y := math.Round(float64(t.Y))
	op := &r.imgOp
	op.ColorScale.Reset()
	op.ColorScale.Scale(t.Color.R*t.Color.A, t.Color.G*t.Color.A, t.Color.B*t.Color.A, t.Color.A)
	for _, c := range t.S {
		g := r.glyph(t.Size, t.Bold, c)
		if g.img != nil {
			op.GeoM.Reset()
			op.GeoM.Translate(x+g.x, y+g.y)
			screen.DrawImage(g.img, op)
		}
		x += g.adv
	}
}

// install gives the session's composer the real font's measurements.
func (r *renderer) install(s *session.Session) { s.Composer.Measure = r.measure }
