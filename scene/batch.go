package scene

import (
	"image"
	"image/color"
	"math"
)

// Vertex has exactly the fields, types and order of ebiten.Vertex, so the
// renderer can hand a []Vertex to DrawTriangles without copying (the wasm
// package checks the two stay convertible at compile time).
type Vertex struct {
	DstX, DstY                     float32
	SrcX, SrcY                     float32
	ColorR, ColorG, ColorB, ColorA float32
	Custom0, Custom1, Custom2      float32
	Custom3                        float32
}

// QuadsPerDraw is how many quads one DrawTriangles call takes: its indices
// are uint16, so 4 vertices per quad stay below 65,536.
const QuadsPerDraw = 16383

// Color is a straight-alpha colour in [0, 1].
type Color struct{ R, G, B, A float32 }

// Alpha returns c with its alpha scaled by a.
func (c Color) Alpha(a float32) Color { c.A *= a; return c }

// Mix returns c moved towards o by f in [0, 1].
func (c Color) Mix(o Color, f float32) Color {
	return Color{c.R + (o.R-c.R)*f, c.G + (o.G-c.G)*f, c.B + (o.B-c.B)*f, c.A + (o.A-c.A)*f}
}

// RGBA converts to a Go colour (for text drawing).
func (c Color) RGBA() color.RGBA {
	f := func(v float32) uint8 { return uint8(math.Round(float64(clamp01(v) * 255))) }
	a := clamp01(c.A)
	return color.RGBA{f(c.R * a), f(c.G * a), f(c.B * a), f(a)}
}

func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

func hex(v uint32) Color {
	return Color{float32(v>>16&255) / 255, float32(v>>8&255) / 255, float32(v&255) / 255, 1}
}

// Sprite is a region of the atlas.
type Sprite uint8

// Sprites in the atlas, each a SpriteSize square cell.
const (
	SpriteDisc  Sprite = iota // filled anti-aliased disc
	SpriteRing                // hollow circle, stroke about a sixth of the radius
	SpriteGlow                // soft radial glow, bright centre fading to nothing
	SpriteSolid               // solid white, for lines and rectangles
	numSprites
)

// SpriteSize is the side of one atlas cell in pixels.
const SpriteSize = 64

// Atlas draws the sprite sheet: one white image the renderer uploads once,
// coloured per vertex, so every shape on screen is one textured quad and a
// whole layer is one DrawTriangles call.
func Atlas() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, SpriteSize*int(numSprites), SpriteSize))
	c := float64(SpriteSize) / 2
	for y := 0; y < SpriteSize; y++ {
		for x := 0; x < SpriteSize; x++ {
			d := math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c) // distance from centre, px
			r := c - 1.5                                        // disc radius leaves a margin
			disc := clampF(r-d+0.5, 0, 1)
			ring := clampF(r-d+0.5, 0, 1) * clampF(d-(r-r/6)+0.5, 0, 1)
			g := clampF(1-d/c, 0, 1)
			glow := g * g
			set := func(s Sprite, a float64) {
				v := uint8(math.Round(a * 255))
				img.SetRGBA(int(s)*SpriteSize+x, y, color.RGBA{v, v, v, v}) // premultiplied white
			}
			set(SpriteDisc, disc)
			set(SpriteRing, ring)
			set(SpriteGlow, glow)
			set(SpriteSolid, 1)
		}
	}
	return img
}

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// srcRect returns the atlas rectangle of s, inset so that sampling never
// bleeds into a neighbouring cell.
func srcRect(s Sprite) (x0, y0, x1, y1 float32) {
	if s == SpriteSolid {
		c := float32(int(s)*SpriteSize + SpriteSize/2)
		return c - 1, SpriteSize/2 - 1, c + 1, SpriteSize/2 + 1
	}
	x0 = float32(int(s) * SpriteSize)
	return x0 + 0.5, 0.5, x0 + SpriteSize - 0.5, SpriteSize - 0.5
}

// Batch collects textured quads for DrawTriangles. It keeps its memory
// between frames: Reset and refill, no allocation once warmed up.
type Batch struct {
	Vertices []Vertex
	indices  []uint16
}

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() { b.Vertices = b.Vertices[:0] }

// Quads returns the number of quads in the batch.
func (b *Batch) Quads() int { return len(b.Vertices) / 4 }

// Indices returns the index list for n quads (n <= QuadsPerDraw); every
// chunk of QuadsPerDraw quads uses the same list.
func (b *Batch) Indices(n int) []uint16 {
	if len(b.indices) == 0 {
		b.indices = make([]uint16, 0, QuadsPerDraw*6)
		for q := 0; q < QuadsPerDraw; q++ {
			v := uint16(q * 4)
			b.indices = append(b.indices, v, v+1, v+2, v+1, v+3, v+2)
		}
	}
	return b.indices[:min(n, QuadsPerDraw)*6]
}

// Sprite adds sprite s centred at (x, y) with radius r.
func (b *Batch) Sprite(s Sprite, x, y, r float32, c Color) {
	sx0, sy0, sx1, sy1 := srcRect(s)
	b.Vertices = append(b.Vertices,
		Vertex{DstX: x - r, DstY: y - r, SrcX: sx0, SrcY: sy0, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x + r, DstY: y - r, SrcX: sx1, SrcY: sy0, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x - r, DstY: y + r, SrcX: sx0, SrcY: sy1, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x + r, DstY: y + r, SrcX: sx1, SrcY: sy1, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
	)
}

// Rect adds a solid rectangle.
func (b *Batch) Rect(x, y, w, h float32, c Color) {
	sx0, sy0, sx1, sy1 := srcRect(SpriteSolid)
	b.Vertices = append(b.Vertices,
		Vertex{DstX: x, DstY: y, SrcX: sx0, SrcY: sy0, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x + w, DstY: y, SrcX: sx1, SrcY: sy0, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x, DstY: y + h, SrcX: sx0, SrcY: sy1, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
		Vertex{DstX: x + w, DstY: y + h, SrcX: sx1, SrcY: sy1, ColorR: c.R, ColorG: c.G, ColorB: c.B, ColorA: c.A},
	)
}

// Line adds a segment of width w whose colour goes from c0 to c1.
func (b *Batch) Line(x0, y0, x1, y1, w float32, c0, c1 Color) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if l == 0 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	sx0, sy0, sx1, sy1 := srcRect(SpriteSolid)
	b.Vertices = append(b.Vertices,
		Vertex{DstX: x0 + nx, DstY: y0 + ny, SrcX: sx0, SrcY: sy0, ColorR: c0.R, ColorG: c0.G, ColorB: c0.B, ColorA: c0.A},
		Vertex{DstX: x1 + nx, DstY: y1 + ny, SrcX: sx1, SrcY: sy0, ColorR: c1.R, ColorG: c1.G, ColorB: c1.B, ColorA: c1.A},
		Vertex{DstX: x0 - nx, DstY: y0 - ny, SrcX: sx0, SrcY: sy1, ColorR: c0.R, ColorG: c0.G, ColorB: c0.B, ColorA: c0.A},
		Vertex{DstX: x1 - nx, DstY: y1 - ny, SrcX: sx1, SrcY: sy1, ColorR: c1.R, ColorG: c1.G, ColorB: c1.B, ColorA: c1.A},
	)
}
