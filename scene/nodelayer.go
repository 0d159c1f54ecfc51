package scene

import (
	"bytes"
)

// NodeLayer draws every node of a big cluster with one shader quad instead
// of a quad per node, so that the per-frame cost no longer grows with the
// node count: handing ebiten 10,000 quads every frame was most of the
// frame's Go time.
//
// Map is an image the size of the nodes' area, drawn once per layout (not
// per frame): each pixel near a node (within Reach, nearest node wins) holds
// that node's index (R: low byte, G: high byte), its distance from the
// node's centre (B: 0..255 for 0..Reach) and A = 255; other pixels are 0.
// Table holds one texel per node, rewritten when any node's look changed:
// its colour (RGB) and A = shape<<6 | glow (0..63). The renderer's shader
// looks every pixel up in both and draws the node's disc, small disc or
// ring, anti-aliased from the distance, over the glow of a node that just
// learnt the news, which fades out within the node's own cell.
type NodeLayer struct {
	On   bool // false: the nodes are quads in the frame's Under batch
	X, Y int  // the map's top-left corner on screen, device px
	W, H int
	Map  []byte // W*H*4
	// MapGen changes whenever Map (or its size or place) did.
	MapGen uint64
	// Hull is a convex outline, within the map's box, of every pixel the
	// map gives a node: an octagon around the cluster, cut to the box,
	// each vertex's source point its place in the map. Drawn instead of
	// the whole box, a disc of nodes leaves the box's corners (about a
	// sixth of its pixels) to the shader no more: a software renderer pays
	// for each pixel a shape covers.
	Hull []Vertex

	Table          []byte // TableW*TableH*4
	TableW, TableH int
	TableGen       uint64 // changes whenever Table did

	Radius     float32 // node radius, px
	Reach      float32 // how far from its centre a node's cell goes, px
	GlowRadius float32 // the glow's radius at full strength, px
	GlowColor  Color
	Background Color

	next []byte   // the table being built
	mb   mapBuild // the map being built
}

// Node shapes in the table.
const (
	shapeNone  = 0 // absent: nothing drawn
	shapeDisc  = 1 // a disc of Radius
	shapeSmall = 2 // a disc of 0.82 Radius (uninformed, cut off)
	shapeRing  = 3 // a ring on a background disc (crashed)
)

// LayerMinNodes and LayerMaxNodes bound when the node layer is used.
// Below, each node is a stamp (Atlas.stamps: two triangles, copied pixel
// for pixel), which a software renderer draws for less than the layer's
// shader over the whole disc up to a few thousand nodes (at 1,000: about
// 3 ms of the GPU process per frame against 7-9), and a ring's glows may
// overlap the neighbours; past it, handing ebiten a quad per node costs
// more Go time than the layer. The map has 16 bits per node index.
const (
	LayerMinNodes = 2501
	LayerMaxNodes = 1 << 16
	tableW        = 256
)

// beginTable starts a table for n nodes.
func (l *NodeLayer) beginTable(n int) {
	l.TableW = tableW
	l.TableH = max(1, (n+tableW-1)/tableW)
	size := l.TableW * l.TableH * 4
	if cap(l.next) < size {
		l.next = make([]byte, size)
	}
	l.next = l.next[:size]
	clear(l.next)
}

// set writes node i's look into the table being built.
func (l *NodeLayer) set(i int, c Color, shape uint8, glow float32) {
	t := l.next[4*i : 4*i+4]
	t[0] = byte(clamp01(c.R)*255 + 0.5)
	t[1] = byte(clamp01(c.G)*255 + 0.5)
	t[2] = byte(clamp01(c.B)*255 + 0.5)
	t[3] = shape<<6 | byte(clamp01(glow)*63+0.5)
}

// endTable swaps the built table in if it differs from the last one.
func (l *NodeLayer) endTable() {
	if bytes.Equal(l.next, l.Table) {
		return
	}
	l.Table, l.next = l.next, l.Table
	l.TableGen++
}

// At returns the node index and distance (px) the map holds at screen
// point (x, y), or -1.
func (l *NodeLayer) At(x, y int) (node int, dist float32) {
	x, y = x-l.X, y-l.Y
	if x < 0 || y < 0 || x >= l.W || y >= l.H {
		return -1, 0
	}
	m := l.Map[4*(y*l.W+x):]
	if m[3] == 0 {
		return -1, 0
	}
	return int(m[0]) | int(m[1])<<8, float32(m[2]) / 255 * l.Reach
}

// Look returns the colour, shape and glow the table holds for node i.
func (l *NodeLayer) Look(i int) (c Color, shape uint8, glow float32) {
	if 4*i+3 >= len(l.Table) {
		return Color{}, shapeNone, 0
	}
	t := l.Table[4*i:]
	return Color{float32(t[0]) / 255, float32(t[1]) / 255, float32(t[2]) / 255, 1}, t[3] >> 6, float32(t[3]&63) / 63
}
