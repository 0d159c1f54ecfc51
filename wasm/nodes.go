//go:build js && wasm

package main

import (
	"unsafe"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/gossipscope/gossipscope/scene"
)

// nodeShader draws scene.NodeLayer: for each pixel, the node its map names
// and that node's look from the table (see scene.NodeLayer).
const nodeShader = `//kage:unit pixels

package main

var Radius float
var Reach float
var GlowRadius float
var GlowColor vec3
var Background vec3
var TableW float

func Fragment(dst vec4, src vec2, color vec4) vec4 {
	m := imageSrc0UnsafeAt(src)
	if m.a == 0 {
		return vec4(0)
	}
	id := floor(m.r*255+0.5) + floor(m.g*255+0.5)*256
	ty := floor(id / TableW)
	tx := id - ty*TableW
	c := imageSrc1UnsafeAt(imageSrc0Origin() + vec2(tx+0.5, ty+0.5))
	code := floor(c.a*255 + 0.5)
	shape := floor(code / 64)
	q := (code - shape*64) / 63
	if shape == 0 {
		return vec4(0)
	}
	d := m.b * Reach
	// The glow of a node that just learnt the news, within its own cell.
	ga := 0.0
	if q > 0 {
		g := clamp(1-d/(GlowRadius*(0.55+0.45*q)), 0, 1)
		ga = 0.85 * q * g * g
	}
	r := Radius
	if shape == 2 {
		r = Radius * 0.82
	}
	a := clamp(r-d+0.5, 0, 1)
	col := c.rgb
	if shape == 3 {
		// Crashed: a ring on a background disc.
		ring := clamp(d-(r-max(r/6, 1))+0.5, 0, 1)
		col = mix(Background, c.rgb, ring)
	}
	return vec4(col*a, a) + vec4(GlowColor*ga, ga)*(1-a)
}
`

// nodeRenderer keeps the node layer's images and shader.
type nodeRenderer struct {
	shader           *ebiten.Shader
	mapImg, tableImg *ebiten.Image
	mapGen, tableGen uint64
	mapW, mapH       int
	tableW, tableH   int
	fan              []uint16 // the hull's triangles
	opts             ebiten.DrawTrianglesShaderOptions
	uniforms         map[string]any
	u                struct{ radius, reach, glowR, glow, bg, tableW []float32 }
	failed           bool
}

var quadIndices = []uint16{0, 1, 2, 1, 3, 2}

func (n *nodeRenderer) init() bool {
	if n.shader != nil || n.failed {
		return !n.failed
	}
	sh, err := ebiten.NewShader([]byte(nodeShader))
	if err != nil {
		n.failed = true
		panic("node shader: " + err.Error()) // a bug in the shader source: show it
	}
	n.shader = sh
	u := &n.u
	u.radius, u.reach, u.glowR, u.tableW = make([]float32, 1), make([]float32, 1), make([]float32, 1), make([]float32, 1)
	u.glow, u.bg = make([]float32, 3), make([]float32, 3)
	n.uniforms = map[string]any{"Radius": u.radius, "Reach": u.reach, "GlowRadius": u.glowR, "GlowColor": u.glow, "Background": u.bg, "TableW": u.tableW}
	n.opts.Uniforms = n.uniforms
	return true
}

// draw uploads what changed in the layer and draws it: one quad. It
// returns the bytes uploaded.
func (n *nodeRenderer) draw(screen drawTarget, l *scene.NodeLayer) (uploaded int) {
	if l.W <= 0 || l.H <= 0 || len(l.Map) != l.W*l.H*4 || len(l.Table) != l.TableW*l.TableH*4 || !n.init() {
		return 0
	}
	if n.mapImg == nil || n.mapW != l.W || n.mapH != l.H {
		if n.mapImg != nil {
			n.mapImg.Deallocate()
		}
		n.mapImg = ebiten.NewImage(l.W, l.H)
		n.mapW, n.mapH = l.W, l.H
		n.mapGen = l.MapGen - 1
	}
	if n.mapGen != l.MapGen {
		n.mapImg.WritePixels(l.Map)
		n.mapGen = l.MapGen
		uploaded += len(l.Map)
	}
	if n.tableImg == nil || n.tableW != l.TableW || n.tableH != l.TableH {
		if n.tableImg != nil {
			n.tableImg.Deallocate()
		}
		n.tableImg = ebiten.NewImage(l.TableW, l.TableH)
		n.tableW, n.tableH = l.TableW, l.TableH
		n.tableGen = l.TableGen - 1
	}
	if n.tableGen != l.TableGen {
		n.tableImg.WritePixels(l.Table)
		n.tableGen = l.TableGen
		uploaded += len(l.Table)
	}
	u := &n.u
	u.radius[0], u.reach[0], u.glowR[0], u.tableW[0] = l.Radius, l.Reach, l.GlowRadius, float32(l.TableW)
	u.glow[0], u.glow[1], u.glow[2] = l.GlowColor.R, l.GlowColor.G, l.GlowColor.B
	u.bg[0], u.bg[1], u.bg[2] = l.Background.R, l.Background.G, l.Background.B
	// The hull, a fan of triangles, not the map's whole box: the shader
	// draws nothing outside it, and a software renderer pays per pixel.
	hull := l.Hull
	if len(hull) < 3 {
		return uploaded
	}
	n.fan = n.fan[:0]
	for k := 1; k+1 < len(hull); k++ {
		n.fan = append(n.fan, 0, uint16(k), uint16(k+1))
	}
	n.opts.Images[0], n.opts.Images[1] = n.mapImg, n.tableImg
	verts := unsafe.Slice((*ebiten.Vertex)(unsafe.Pointer(unsafe.SliceData(hull))), len(hull))
	screen.DrawTrianglesShader(verts, n.fan, n.shader, &n.opts)
	return uploaded
}
