package scene

import (
	"image"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Glyphs draws text as quads of the Atlas: each glyph is rasterized once
// (per size and weight) into the atlas's glyph area, and a string is then
// one quad per letter in the same DrawTriangles call as everything else.
// Drawing letters one image at a time cost the renderer more than all the
// nodes; shaping each new string (text/v2) cost milliseconds more. Kerning
// is left out: close enough for labels and numbers.
type Glyphs struct {
	atlas    *Atlas
	faces    map[faceKey]*faceInfo
	lastKey  faceKey
	lastFace *faceInfo
	cache    map[glyphKey]*glyph
	// Shelf packing of the glyph area.
	x, y, rowH int
	resets     int
	rasterized int // glyphs drawn into the atlas so far
}

type faceKey struct {
	size int32 // quarter px
	bold bool
}

type faceInfo struct {
	key    faceKey
	face   font.Face
	ascent int
	ascii  [128]*glyph // the common case without a map lookup
}

type glyphKey struct {
	face faceKey
	r    rune
}

type glyph struct {
	sx0, sy0, sx1, sy1 float32 // atlas rectangle; empty for blanks
	dx, dy             float32 // from the pen and the top of the line
	adv                float32
}

var fonts struct {
	once          sync.Once
	regular, bold *opentype.Font
	err           error
}

func loadFonts() {
	fonts.once.Do(func() {
		if fonts.regular, fonts.err = opentype.Parse(goregular.TTF); fonts.err != nil {
			return
		}
		fonts.bold, fonts.err = opentype.Parse(gobold.TTF)
	})
}

// NewGlyphs returns a glyph cache drawing into a.
func NewGlyphs(a *Atlas) *Glyphs {
	return &Glyphs{atlas: a, faces: map[faceKey]*faceInfo{}, cache: map[glyphKey]*glyph{}, y: glyphTop}
}

func keyOf(size float32, bold bool) faceKey {
	return faceKey{int32(math.Round(float64(size) * 4)), bold}
}

func (g *Glyphs) face(k faceKey) *faceInfo {
	if g.lastFace != nil && g.lastKey == k {
		return g.lastFace
	}
	if f, ok := g.faces[k]; ok {
		g.lastKey, g.lastFace = k, f
		return f
	}
	loadFonts()
	src := fonts.regular
	if k.bold {
		src = fonts.bold
	}
	f := &faceInfo{key: k}
	if src != nil {
		// Go's fonts are part of the binary: parsing them cannot fail.
		face, err := opentype.NewFace(src, &opentype.FaceOptions{Size: float64(k.size) / 4, DPI: 72, Hinting: font.HintingNone})
		if err == nil {
			f.face = face
			f.ascent = face.Metrics().Ascent.Round()
		}
	}
	g.faces[k] = f
	g.lastKey, g.lastFace = k, f
	return f
}

// get returns glyph r of face f, rasterizing it into the atlas the first
// time.
func (g *Glyphs) get(f *faceInfo, r rune) *glyph {
	if r >= 0 && r < 128 && f.ascii[r] != nil {
		return f.ascii[r]
	}
	gk := glyphKey{f.key, r}
	if gl, ok := g.cache[gk]; ok {
		return gl
	}
	gl := &glyph{}
	g.cache[gk] = gl
	if r >= 0 && r < 128 {
		f.ascii[r] = gl
	}
	if f.face == nil {
		return gl
	}
	dr, mask, mp, adv, ok := f.face.Glyph(fixed.P(0, f.ascent), r)
	if !ok {
		dr, mask, mp, adv, ok = f.face.Glyph(fixed.P(0, f.ascent), '?')
		if !ok {
			return gl
		}
	}
	gl.adv = float32(adv) / 64
	w, h := dr.Dx(), dr.Dy()
	if w <= 0 || h <= 0 {
		return gl
	}
	x, y, ok := g.place(w+2, h+2)
	if !ok {
		return gl
	}
	img := g.atlas.Img
	alpha, _ := mask.(*image.Alpha) // what opentype gives: read its bytes, not a colour per pixel
	for yy := 0; yy < h; yy++ {
		row := img.Pix[img.PixOffset(x+1, y+1+yy):][:4*w]
		for xx := 0; xx < w; xx++ {
			var v uint8
			if alpha != nil {
				v = alpha.Pix[alpha.PixOffset(mp.X+xx, mp.Y+yy)]
			} else {
				_, _, _, a := mask.At(mp.X+xx, mp.Y+yy).RGBA()
				v = uint8(a >> 8)
			}
			px := row[4*xx : 4*xx+4 : 4*xx+4]
			px[0], px[1], px[2], px[3] = v, v, v, v
		}
	}
	g.atlas.markDirty(image.Rect(x, y, x+w+2, y+h+2))
	g.rasterized++
	gl.sx0, gl.sy0 = float32(x+1), float32(y+1)
	gl.sx1, gl.sy1 = gl.sx0+float32(w), gl.sy0+float32(h)
	gl.dx, gl.dy = float32(dr.Min.X), float32(dr.Min.Y)
	return gl
}

// place finds room for a w x h cell (with its padding), starting over with
// an empty glyph area when it is full.
func (g *Glyphs) place(w, h int) (x, y int, ok bool) {
	if w > AtlasW || h > AtlasH-glyphTop {
		return 0, 0, false
	}
	if g.x+w > AtlasW {
		g.x, g.y, g.rowH = 0, g.y+g.rowH, 0
	}
	if g.y+h > AtlasH {
		g.reset()
	}
	x, y = g.x, g.y
	g.x += w
	g.rowH = max(g.rowH, h)
	return x, y, true
}

// reset empties the glyph area (the next frames rasterize again what they
// use).
func (g *Glyphs) reset() {
	img := g.atlas.Img
	clear(img.Pix[img.PixOffset(0, glyphTop):])
	g.atlas.markDirty(image.Rect(0, glyphTop, AtlasW, AtlasH))
	clear(g.cache)
	for _, f := range g.faces {
		f.ascii = [128]*glyph{}
	}
	g.x, g.y, g.rowH = 0, glyphTop, 0
	g.resets++
	g.atlas.restarts++
}

// Measure returns the width of s in px.
func (g *Glyphs) Measure(s string, size float32, bold bool) float32 {
	f := g.face(keyOf(size, bold))
	w := float32(0)
	for _, r := range s {
		w += g.get(f, r).adv
	}
	return w
}

// Draw adds t's glyphs to b.
func (g *Glyphs) Draw(b *Batch, t *Text) {
	if t.S == "" || t.Color.A <= 0 {
		return
	}
	f := g.face(keyOf(t.Size, t.Bold))
	x := t.X
	switch t.Align {
	case AlignCenter:
		x -= g.Measure(t.S, t.Size, t.Bold) / 2
	case AlignRight:
		x -= g.Measure(t.S, t.Size, t.Bold)
	}
	y := float32(math.Round(float64(t.Y)))
	for _, r := range t.S {
		gl := g.get(f, r)
		if gl.sx1 > gl.sx0 {
			b.image(float32(math.Round(float64(x+gl.dx))), y+gl.dy, gl.sx0, gl.sy0, gl.sx1, gl.sy1, t.Color)
		}
		x += gl.adv
	}
}
