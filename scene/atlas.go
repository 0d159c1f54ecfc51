package scene

import (
	"image"
	"image/color"
	"math"
)

// Sprite is a shape in the atlas, drawn white and coloured per vertex.
type Sprite uint8

// Sprites in the atlas.
const (
	SpriteDisc  Sprite = iota // filled anti-aliased disc
	SpriteRing                // hollow circle, stroke about a sixth of the radius
	SpriteGlow                // soft radial glow, bright centre fading to nothing
	SpriteSolid               // solid white, for lines and rectangles
	numSprites
)

// The atlas is one white image the renderer uploads once (and again only
// where new glyphs were added), coloured per vertex, so that every shape and
// every letter on screen is a quad or a triangle of it and a whole layer is
// one DrawTriangles call. Its top band holds the sprites: a SpriteSize cell
// for each as a quad, and a roomier dotCell for the round ones as a
// triangle (Batch.Dot); the rest holds glyphs (Glyphs).
const (
	AtlasW     = 1024
	AtlasH     = 2048
	SpriteSize = 64  // side of a quad sprite's cell
	dotCell    = 128 // side of a triangle sprite's cell
	dotScale   = SpriteSize / 2
	dotCY      = 80 // centre of the circle in a dot cell: the triangle spans y 16..112
	// The band below the sprites holds the messages' dots drawn at the
	// size a frame draws them (Atlas.dotStamp); glyphs go below it.
	dotBandTop = dotCell
	glyphTop   = dotBandTop + 128
)

// dotCentre is where round sprite s is centred in its dot cell.
func dotCentre(s Sprite) (x, y float32) {
	return float32(int(numSprites)*SpriteSize + int(s)*dotCell + dotCell/2), dotCY
}

// srcRect returns the atlas rectangle of s as a quad, inset so that
// sampling never bleeds into a neighbouring cell.
func srcRect(s Sprite) (x0, y0, x1, y1 float32) {
	if s == SpriteSolid {
		c := float32(int(s)*SpriteSize + SpriteSize/2)
		return c - 1, SpriteSize/2 - 1, c + 1, SpriteSize/2 + 1
	}
	x0 = float32(int(s) * SpriteSize)
	return x0 + 0.5, 0.5, x0 + SpriteSize - 0.5, SpriteSize - 0.5
}

// Stamp is a node's shape drawn at the very size the layout draws it
// (Atlas.stamps), so that a node is copied pixel for pixel: nearest
// sampling, one texture read per pixel where a scaled sprite's linear
// filtering takes four, which was most of a software renderer's time on
// a thousand nodes.
type Stamp uint8

// Stamps, in the top band's room right of the dot cells, a cell each.
const (
	StampDisc  Stamp = iota // a node's disc
	StampSmall              // the smaller disc of a node without the news
	StampRing               // a crashed node's ring
	numStamps
	stampX       = int(numSprites)*SpriteSize + int(numSprites-1)*dotCell
	stampMaxSide = (AtlasW - stampX) / int(numStamps)
)

// NodeStamps says where Atlas.stamps drew the stamps for nodes of radius
// R: cells W x H px side by side from (stampX, 0), each shape centred on
// the pixel corner (CX, CY) of its cell. Tri says the cells have room for
// the triangle around each shape, which Batch.Stamp draws (one triangle
// where a quad is two: a software renderer pays per triangle more than
// per pixel for shapes this small); Rho is that triangle's inscribed
// radius, just past the shape's last inked pixel. Nodes too big for
// such cells get square ones, drawn as quads.
type NodeStamps struct {
	R            float32
	W, H, CX, CY int
	Tri          bool
	Rho          [numStamps]float32
}

// Atlas is the sprite and glyph sheet, premultiplied white on transparent.
type Atlas struct {
	Img   *image.RGBA
	dirty image.Rectangle
	// nodeStamps: the node stamps drawn now (W 0: none yet).
	nodeStamps NodeStamps
	// The dot band: the dot stamps drawn so far, and where the next goes.
	dots               []DotStamp
	dotX, dotY, dotRow int
	restarts           int // bands emptied (Restarts)
}

// DotStamp is a message's dot (round sprite S of radius R, the radius
// Batch.Dot is given) drawn at that very size into cells W x H px from
// (X, Y) with room for the triangle around it (Batch.DotStamp), four
// times: centred at (X+CX, Y+CY) in the first cell, and half a pixel
// right, down, and both in the next three, so that a moving dot is placed
// to half a pixel and copied with nearest sampling (one texture read per
// pixel where a scaled sprite's linear filtering takes four).
type DotStamp struct {
	S          Sprite
	R, Rho     float32 // Rho: the radius the triangle is drawn around
	X, Y, W, H int
	CX, CY     int
}

// dotStamp returns the stamps of round sprite s at radius r, drawing them
// the first time; ok is false when they do not fit the band.
func (a *Atlas) dotStamp(s Sprite, r float32) (d DotStamp, ok bool) {
	for _, d := range a.dots {
		if d.S == s && d.R == r {
			return d, true
		}
	}
	disc := float64(r) * (SpriteSize/2 - 1.5) / dotScale // the sprite's circle, as Batch.Dot scales it
	rho := math.Max(float64(r), disc+0.5)
	d = DotStamp{S: s, R: r, Rho: float32(rho), W: int(math.Ceil(2*sqrt3*rho)) + 3, H: int(math.Ceil(3*rho)) + 3}
	d.CX, d.CY = d.W/2, int(math.Ceil(2*rho))+1
	if !(r > 0) || 4*d.W > AtlasW || d.H > glyphTop-dotBandTop {
		return d, false
	}
	if a.dotX+4*d.W > AtlasW {
		a.dotX, a.dotY, a.dotRow = 0, a.dotY+a.dotRow, 0
	}
	if dotBandTop+a.dotY+d.H > glyphTop {
		return d, false // full until a frame starts it over (dotFrame)
	}
	d.X, d.Y = a.dotX, dotBandTop+a.dotY
	a.dotX += 4 * d.W
	a.dotRow = max(a.dotRow, d.H)
	for ph := 0; ph < 4; ph++ {
		cx := float64(d.CX) + float64(ph&1)/2
		cy := float64(d.CY) + float64(ph>>1)/2
		x0 := d.X + ph*d.W
		for y := 0; y < d.H; y++ {
			for x := 0; x < d.W; x++ {
				dd := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
				v := clampF(disc-dd+0.5, 0, 1)
				if s == SpriteRing {
					v *= clampF(dd-(disc-disc/6)+0.5, 0, 1)
				}
				b := uint8(math.Round(v * 255))
				a.Img.SetRGBA(x0+x, d.Y+y, color.RGBA{b, b, b, b})
			}
		}
	}
	a.markDirty(image.Rect(d.X, d.Y, d.X+4*d.W, d.Y+d.H))
	a.dots = append(a.dots, d)
	return d, true
}

// dotFrame starts a frame's dots: once the band is half full (the
// messages' sizes change with the window and the cluster), it starts over
// empty, before any dot of the frame points into it.
func (a *Atlas) dotFrame() {
	if a.dotY < (glyphTop-dotBandTop)/2 {
		return
	}
	clear(a.Img.Pix[a.Img.PixOffset(0, dotBandTop):a.Img.PixOffset(0, glyphTop)])
	a.markDirty(image.Rect(0, dotBandTop, AtlasW, glyphTop))
	a.restarts++
	a.dots = a.dots[:0]
	a.dotX, a.dotY, a.dotRow = 0, 0, 0
}

// spriteFill is how much of a quad sprite's radius its disc fills: the
// disc's radius over the half-side of the inset source rectangle.
const spriteFill = (SpriteSize/2 - 1.5) / (SpriteSize/2 - 0.5)

// stampMargin is how far past a shape's last inked pixel centre its
// triangle reaches: far more than float32 rounding of the vertices, so no
// inked pixel is left out.
const stampMargin = 1.0 / 16

// stamps draws the stamps for nodes of radius r (the radius Batch.Sprite
// is given), looking as the sprites look at that size, unless they are
// drawn for r already; ok is false when r does not fit a cell.
func (a *Atlas) stamps(r float32) (ns NodeStamps, ok bool) {
	if r == a.nodeStamps.R && a.nodeStamps.W > 0 {
		return a.nodeStamps, true
	}
	if !(r > 0) {
		return ns, false
	}
	disc := float64(r) * spriteFill
	// A pixel is inked while its centre is less than half a pixel past
	// the shape's edge.
	radius := [numStamps]float64{StampDisc: disc, StampSmall: 0.82 * disc, StampRing: disc}
	for st, rad := range radius {
		ns.Rho[st] = float32(rad + 0.5 + stampMargin)
	}
	rho := float64(ns.Rho[StampDisc])
	// The triangle around the circle: its top corner 2 rho above the
	// centre, the others rho below and sqrt3 rho either side; a pixel of
	// transparent border all round.
	ns.CX, ns.CY = int(math.Ceil(sqrt3*rho))+1, int(math.Ceil(2*rho))+1
	ns.W, ns.H, ns.Tri = 2*ns.CX, ns.CY+int(math.Ceil(rho))+1, true
	if ns.W > stampMaxSide || ns.H > dotBandTop {
		// Square cells, the square around the shape (a quad).
		side := 2*int(math.Ceil(float64(r))) + 2
		ns.CX, ns.CY, ns.W, ns.H, ns.Tri = side/2, side/2, side, side, false
		if side > stampMaxSide || side > dotBandTop {
			return NodeStamps{}, false
		}
	}
	ns.R = r
	a.nodeStamps = ns
	// The stamp band only: the dot band below it runs the whole width.
	region := image.Rect(stampX, 0, AtlasW, dotBandTop)
	for y := region.Min.Y; y < region.Max.Y; y++ {
		clear(a.Img.Pix[a.Img.PixOffset(region.Min.X, y):a.Img.PixOffset(region.Max.X, y)])
	}
	cx, cy := float64(ns.CX), float64(ns.CY)
	for st := Stamp(0); st < numStamps; st++ {
		x0 := stampX + int(st)*ns.W
		for y := 0; y < ns.H; y++ {
			for x := 0; x < ns.W; x++ {
				d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
				v := clampF(radius[st]-d+0.5, 0, 1)
				if st == StampRing {
					v *= clampF(d-(disc-disc/6)+0.5, 0, 1)
				}
				b := uint8(math.Round(v * 255))
				a.Img.SetRGBA(x0+x, y, color.RGBA{b, b, b, b})
			}
		}
	}
	a.markDirty(region)
	return ns, true
}

// NewAtlas draws the sprites; the glyph area starts empty.
func NewAtlas() *Atlas {
	img := image.NewRGBA(image.Rect(0, 0, AtlasW, AtlasH))
	c := float64(SpriteSize) / 2
	shape := func(s Sprite, d float64) float64 { // alpha at distance d (in half-cell units of 32 px)
		r := c - 1.5 // disc radius leaves a margin
		switch s {
		case SpriteDisc:
			return clampF(r-d+0.5, 0, 1)
		case SpriteRing:
			return clampF(r-d+0.5, 0, 1) * clampF(d-(r-r/6)+0.5, 0, 1)
		case SpriteGlow:
			g := clampF(1-d/c, 0, 1)
			return g * g
		}
		return 1
	}
	set := func(x, y int, a float64) {
		v := uint8(math.Round(a * 255))
		img.SetRGBA(x, y, color.RGBA{v, v, v, v})
	}
	for s := Sprite(0); s < numSprites; s++ {
		for y := 0; y < SpriteSize; y++ {
			for x := 0; x < SpriteSize; x++ {
				set(int(s)*SpriteSize+x, y, shape(s, math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c)))
			}
		}
		if s == SpriteSolid {
			continue
		}
		cx, cy := dotCentre(s)
		for y := 0; y < dotCell; y++ {
			for x := 0; x < dotCell; x++ {
				ax := int(numSprites)*SpriteSize + int(s)*dotCell + x
				set(ax, y, shape(s, math.Hypot(float64(ax)+0.5-float64(cx), float64(y)+0.5-float64(cy))))
			}
		}
	}
	// Only the sprites need uploading at first: the glyph area starts
	// empty, as a new image does.
	return &Atlas{Img: img, dirty: image.Rect(0, 0, AtlasW, glyphTop)}
}

// Restarts counts the times a band of the atlas (the dots', the glyphs')
// was emptied and filled anew: only then may a shape that points where it
// did before find other pixels there. Anything else the atlas gains goes
// where nothing pointed, so a copy drawn from the atlas (the page's panel
// plane) need not be drawn again for it.
func (a *Atlas) Restarts() int { return a.restarts }

// TakeDirty returns the part of the atlas changed since the last call (the
// sprites at first), for the renderer to upload to an image that starts
// transparent; empty if none.
func (a *Atlas) TakeDirty() image.Rectangle {
	r := a.dirty
	a.dirty = image.Rectangle{}
	return r
}

func (a *Atlas) markDirty(r image.Rectangle) { a.dirty = a.dirty.Union(r) }

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
