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
	textOp  text.DrawOptions
}

type faceKey struct {
	size int // tenths of a px
	bold bool
}

func newRenderer() *renderer {
	r := &renderer{atlas: ebiten.NewImageFromImage(scene.Atlas()), faces: map[faceKey]*text.GoTextFace{}}
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
	w, _ := text.Measure(s, r.face(size, false), 0)
	return float32(w)
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

// drawTexts draws the frame's texts over the quads.
func (r *renderer) drawTexts(screen *ebiten.Image, f *scene.Frame) {
	op := &r.textOp
	for i := range f.Texts {
		t := &f.Texts[i]
		op.GeoM.Reset()
		op.GeoM.Translate(float64(t.X), float64(t.Y))
		op.ColorScale.Reset()
		op.ColorScale.Scale(t.Color.R*t.Color.A, t.Color.G*t.Color.A, t.Color.B*t.Color.A, t.Color.A)
		switch t.Align {
		case scene.AlignCenter:
			op.PrimaryAlign = text.AlignCenter
		case scene.AlignRight:
			op.PrimaryAlign = text.AlignEnd
		default:
			op.PrimaryAlign = text.AlignStart
		}
		text.Draw(screen, t.S, r.face(t.Size, t.Bold), op)
	}
}

// install gives the session's composer the real font's measurements.
func (r *renderer) install(s *session.Session) { s.Composer.Measure = r.measure }
