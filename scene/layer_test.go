package scene

import (
	"math"
	"slices"
	"testing"
)

// The node layer's map names the right node under every node's centre,
// and its table holds each node's colour and shape; a steady frame leaves
// both alone (nothing to upload).
func TestNodeLayerMapsEveryNode(t *testing.T) {
	n := LayerMinNodes
	p, at := midRun(t, n)
	p.Seek(at + 2000) // past the joins' growing in
	c := NewComposer()
	var f Frame
	c.Compose(p, 1024, 768, 1, &f)
	l := f.Nodes
	// The map is built a slice per frame; meanwhile the nodes are quads.
	if l.On || f.Under.Shapes() < n {
		t.Fatalf("first frame: layer on %v, %d quads under: the nodes are not drawn while the map is built", l.On, f.Under.Shapes())
	}
	if frames := composeUntilLayer(t, c, p, 1024, 768, &f); frames > 8 {
		t.Fatalf("the map took %d frames", frames)
	}
	var whole NodeLayer // built at once: the same map
	whole.build(c.px, c.ln, c.nodeR, 3*c.nodeR, f.W, f.H)
	if whole.X != l.X || whole.W != l.W || !slices.Equal(whole.Map, l.Map) {
		t.Fatal("the map built in slices differs from the one built at once")
	}
	if f.Shapes() > 4*MaxPackets+2000 {
		t.Fatalf("%d shapes: the nodes are quads as well", f.Shapes())
	}
	for i := 0; i < c.ln; i++ {
		x, y, _ := c.NodePos(i)
		n, d := l.At(int(x), int(y))
		if n != i || d > 1 {
			t.Fatalf("map at node %d's centre: node %d at %v px", i, n, d)
		}
		col, shape, _ := l.Look(i)
		cl := c.classes[i]
		want := classColor[cl]
		if shape == shapeDisc && (cl == Informed || cl == Stopped) {
			continue // may be mixed with the glow of the news
		}
		if math.Abs(float64(col.R-want.R)) > 1.0/255 || math.Abs(float64(col.B-want.B)) > 1.0/255 {
			t.Fatalf("node %d (%v): table colour %v, want %v", i, cl, col, want)
		}
		wantShape := map[Class]uint8{Uninformed: shapeSmall, CutOff: shapeSmall, Crashed: shapeRing, Absent: shapeNone}[cl]
		if wantShape == 0 && cl != Absent {
			wantShape = shapeDisc
		}
		if shape != wantShape {
			t.Fatalf("node %d (%v): shape %d, want %d", i, cl, shape, wantShape)
		}
	}
	if n, _ := l.At(0, 0); n != -1 {
		t.Fatalf("the map names node %d at the screen's corner", n)
	}
	mapGen, tableGen := l.MapGen, l.TableGen
	c.Compose(p, 1024, 768, 1, &f)
	if l.MapGen != mapGen || l.TableGen != tableGen {
		t.Fatal("a frame with nothing changed rebuilt the node layer")
	}
	composeUntilLayer(t, c, p, 1000, 768, &f)
	if l.MapGen == mapGen {
		t.Fatal("a new screen size kept the old node map")
	}
}

// composeUntilLayer composes frames until the node layer is on (its map
// built, a slice per frame) and returns how many that took.
func composeUntilLayer(t testing.TB, c *Composer, p *Player, w, h float32, f *Frame) int {
	t.Helper()
	for i := 1; i <= 40; i++ {
		c.Compose(p, w, h, 1, f)
		if f.Nodes.On {
			return i
		}
	}
	t.Fatalf("the node layer is still off after 40 frames")
	return 0
}

// No frame does more than MapBudget pixel visits of building the map,
// however many nodes: a 10,000-node layout is built over a few frames.
func TestNodeMapIsBuiltInSlices(t *testing.T) {
	p, at := midRun(t, 10000)
	p.Seek(at + 2000)
	c := NewComposer()
	var f Frame
	frames := 0
	for frames == 0 || !f.Nodes.On {
		before := c.layer.mb.Visits
		c.Compose(p, 1024, 768, 1, &f)
		frames++
		if spent := c.layer.mb.Visits - before; c.layer.mb.active && spent > MapBudget+4096 {
			t.Fatalf("frame %d did %d pixel visits", frames, spent)
		}
		if frames > 40 {
			t.Fatal("the map was never finished")
		}
	}
	if frames < 2 {
		t.Fatalf("a 10,000-node map was built in %d frame: the test does not slice", frames)
	}
	t.Logf("%d frames, %d visits", frames, c.layer.mb.Visits)
}

func TestGlyphsDrawTextAsQuads(t *testing.T) {
	a := NewAtlas()
	a.TakeDirty()
	g := NewGlyphs(a)
	if w1, w2 := g.Measure("a", 20, false), g.Measure("ab", 20, false); !(w1 > 0 && w2 > w1) {
		t.Fatalf("widths %v %v", w1, w2)
	}
	if g.Measure("Round", 20, true) <= g.Measure("Round", 20, false) {
		t.Fatal("bold is not wider")
	}
	var b Batch
	g.Draw(&b, &Text{X: 10, Y: 10, Size: 20, Color: ColText, S: "log₄ N = 5"})
	if b.Shapes() != 7 { // spaces draw nothing
		t.Fatalf("%d glyph quads, want 7", b.Shapes())
	}
	if d := a.TakeDirty(); d.Empty() || d.Min.Y < glyphTop {
		t.Fatalf("new glyphs left dirty %v", d)
	}
	// Every glyph quad shows inked atlas pixels, unscaled.
	for q := 0; q < b.Shapes(); q++ {
		v := b.Vertices[4*q : 4*q+4]
		if v[3].DstX-v[0].DstX != v[3].SrcX-v[0].SrcX || v[3].DstY-v[0].DstY != v[3].SrcY-v[0].SrcY {
			t.Fatalf("glyph %d is scaled: %+v", q, v)
		}
		ink := 0
		for y := int(v[0].SrcY); y < int(v[3].SrcY); y++ {
			for x := int(v[0].SrcX); x < int(v[3].SrcX); x++ {
				ink += int(a.Img.RGBAAt(x, y).A)
			}
		}
		if ink == 0 {
			t.Fatalf("glyph %d is blank in the atlas", q)
		}
	}
	// The same text again rasterizes nothing new.
	g.Draw(&b, &Text{X: 10, Y: 40, Size: 20, Color: ColText, S: "N = 5"})
	if d := a.TakeDirty(); !d.Empty() {
		t.Fatalf("known glyphs dirtied %v", d)
	}
}

// Thousands of messages in flight are drawn as an even sample no bigger
// than the nodes' area needs; the count in flight is still reported.
func TestPacketsAreSampledPastTheArea(t *testing.T) {
	p, at := midRun(t, 10000)
	c := NewComposer()
	var f Frame
	p.Seek(at)
	for i := 0; i < 3; i++ {
		c.Compose(p, 1024, 768, 1, &f)
	}
	if f.Packets == 0 || f.Packets > MaxPackets+MaxPackets/4 || f.InFlight < f.Packets {
		t.Fatalf("%d drawn of %d in flight", f.Packets, f.InFlight)
	}
	// A smaller disc holds fewer dots (1,000 nodes: dots of at least 4 px).
	p, at = midRun(t, 1000)
	p.Seek(at)
	big, small := NewComposer(), NewComposer()
	var fs Frame
	for i := 0; i < 3; i++ {
		big.Compose(p, 1024, 768, 1, &f)
		small.Compose(p, 500, 400, 1, &fs)
	}
	if fs.Packets >= f.Packets || fs.InFlight < f.Packets*9/10 {
		t.Fatalf("a smaller screen drew %d dots (%d in flight), the bigger one %d", fs.Packets, fs.InFlight, f.Packets)
	}
}

// Below the node layer's size each node is a stamp: one triangle copying
// its cell of the atlas pixel for pixel (so drawn with nearest sampling),
// centred on the node to half a pixel, in its class's colour, and the
// stamp is a disc of the size the sprite showed.
func TestNodesAreStampsBelowTheLayer(t *testing.T) {
	n := 1000
	p, at := midRun(t, n)
	p.Seek(at + 2000)
	c := NewComposer()
	var f Frame
	for i := 0; i < 3; i++ {
		c.Compose(p, 1024, 768, 1, &f)
	}
	if f.Nodes.On {
		t.Fatalf("the node layer is on at %d nodes (LayerMinNodes %d)", n, LayerMinNodes)
	}
	type stamp struct {
		x, y float32
		c    Color
		st   Stamp
	}
	ns := c.atlas.nodeStamps
	if ns.W <= 0 || !ns.Tri {
		t.Fatalf("stamps %+v: none, or not triangles", ns)
	}
	var stamps []stamp
	for _, ch := range f.Under.Chunks() {
		idx := f.Under.Indices[ch.I0:ch.I1]
		v := f.Under.Vertices[ch.V0:]
		for i := 0; i+2 < len(idx); i += 3 {
			if i+5 < len(idx) && idx[i+3] == idx[i]+1 && idx[i+4] == idx[i]+3 {
				i += 3 // a quad: no stamp
				continue
			}
			tri := [3]Vertex{v[idx[i]], v[idx[i+1]], v[idx[i+2]]}
			if tri[0].SrcY >= dotBandTop || tri[0].SrcX < float32(stampX) {
				continue
			}
			if ch.Linear {
				t.Fatal("stamps in a linear run")
			}
			for _, w := range tri {
				if dx, dy := w.DstX-w.SrcX, w.DstY-w.SrcY; abs32(dx-float32(math.Round(float64(dx)))) > 1e-3 || abs32(dy-float32(math.Round(float64(dy)))) > 1e-3 {
					t.Fatalf("a stamp is scaled or off the pixel grid: %+v", tri)
				}
			}
			// The circle's centre is the triangle's; it is a pixel corner.
			x, y := (tri[0].DstX+tri[1].DstX+tri[2].DstX)/3, (tri[0].DstY+tri[1].DstY+tri[2].DstY)/3
			if abs32(x-float32(math.Round(float64(x)))) > 1e-3 || abs32(y-float32(math.Round(float64(y)))) > 1e-3 {
				t.Fatalf("a stamp is centred at %v, %v: not a pixel corner", x, y)
			}
			sx := (tri[0].SrcX + tri[1].SrcX + tri[2].SrcX) / 3
			stamps = append(stamps, stamp{x, y, Color{tri[0].ColorR, tri[0].ColorG, tri[0].ColorB, tri[0].ColorA}, Stamp((int(sx) - stampX) / ns.W)})
		}
	}
	want := map[Class]Stamp{Uninformed: StampSmall, CutOff: StampSmall, Informed: StampDisc, Stopped: StampDisc}
	found := 0
	for i := 0; i < c.ln; i++ {
		cl := c.classes[i]
		st, ok := want[cl]
		if !ok {
			continue
		}
		x, y, _ := c.NodePos(i)
		for _, s := range stamps {
			if abs32(s.x-x) <= 0.5 && abs32(s.y-y) <= 0.5 && s.st == st {
				if cl == Uninformed && s.c != classColor[cl] {
					t.Fatalf("node %d (%v) stamped in %v, want %v", i, cl, s.c, classColor[cl])
				}
				found++
				break
			}
		}
	}
	if found < c.ln*9/10 {
		t.Fatalf("%d of %d nodes found as stamps of their class", found, c.ln)
	}
	// The disc stamp is the sprite's disc at the node's radius: opaque at
	// its centre, as many inked pixels as its area.
	img := c.atlas.Img
	x0 := stampX + int(StampDisc)*ns.W
	if a := img.RGBAAt(x0+ns.CX, ns.CY).A; a != 255 {
		t.Fatalf("disc stamp centre alpha %d", a)
	}
	ink := 0.0
	for y := 0; y < ns.H; y++ {
		for x := 0; x < ns.W; x++ {
			ink += float64(img.RGBAAt(x0+x, y).A) / 255
		}
	}
	r := float64(c.nodeR) * spriteFill
	if area := math.Pi * r * r; math.Abs(ink-area) > 0.04*area {
		t.Fatalf("disc stamp inks %.1f px, a disc of radius %.2f has %.1f", ink, r, area)
	}
}

// On a software renderer message trails stop at TrailsCPU messages in
// flight, not TrailsGPU: a trail is two triangles beside its dot's one.
// Between the two limits the GPU picture has a trail per dot and the CPU
// one none; below both, both have them.
func TestCPUDrawnDropsTrailsSooner(t *testing.T) {
	p, _ := midRun(t, 1000)
	checked := 0
	for at := 100.0; at < 12000 && checked < 2; at += 250 {
		p.Seek(at)
		gpu, cpu := NewComposer(), NewComposer()
		cpu.CPUDrawn = true
		var fg, fc Frame
		for i := 0; i < 3; i++ { // the trail decision reads the last frame's count
			gpu.Compose(p, 1024, 768, 1, &fg)
			cpu.Compose(p, 1024, 768, 1, &fc)
		}
		if fg.Packets != fc.Packets {
			continue // the CPU frame samples the dots sooner (TestCPUDrawnSamplesHalfTheDots)
		}
		extra := len(fg.Under.Indices) - len(fc.Under.Indices)
		switch n := fg.InFlight; {
		case n > TrailsCPU && n <= TrailsGPU && fg.Packets > 0:
			if extra != 6*fg.Packets {
				t.Fatalf("at %v ms, %d in flight: the GPU frame has %d more indices than the CPU one, want a trail (6) per dot (%d)", at, n, extra, fg.Packets)
			}
			checked++
		case n <= TrailsCPU && n > 0:
			if extra != 0 {
				t.Fatalf("at %v ms, %d in flight: the frames differ by %d indices, want both with trails", at, n, extra)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no moment of the run had between TrailsCPU and TrailsGPU messages in flight")
	}
}

// On a software renderer the dots are sampled at half the count a GPU
// frame draws (a dot is a triangle, and a triangle is what a software
// renderer pays most for), while the count in flight the page reports
// stays the same.
func TestCPUDrawnSamplesHalfTheDots(t *testing.T) {
	p, _ := midRun(t, 1000)
	checked := 0
	for at := 100.0; at < 12000; at += 250 {
		p.Seek(at)
		gpu, cpu := NewComposer(), NewComposer()
		cpu.CPUDrawn = true
		var fg, fc Frame
		for i := 0; i < 3; i++ {
			gpu.Compose(p, 1024, 768, 1, &fg)
			cpu.Compose(p, 1024, 768, 1, &fc)
		}
		if fg.InFlight < 1500 {
			continue // few enough for the CPU frame to draw them all
		}
		checked++
		if fc.Packets > fg.Packets*6/10 || fc.Packets < fg.Packets*4/10 {
			t.Fatalf("at %v ms, %d in flight: %d dots on the GPU, %d on the CPU, want about half", at, fg.InFlight, fg.Packets, fc.Packets)
		}
		if d := fc.InFlight - fg.InFlight; d > fg.InFlight/10 || -d > fg.InFlight/10 {
			t.Fatalf("at %v ms: %d in flight reported on the GPU, %d on the CPU", at, fg.InFlight, fc.InFlight)
		}
	}
	if checked == 0 {
		t.Fatal("no moment of the run had enough messages in flight to sample")
	}
}

// The node layer's hull holds every pixel its map gives a node (the
// shader draws nothing elsewhere), and around a disc of nodes it leaves
// out the box's corners: fewer pixels for a software renderer to shade.
// The same holds for a cluster that is no disc (two groups side by side).
func TestNodeLayerHullHoldsTheMap(t *testing.T) {
	inside := func(h []Vertex, x, y float32) bool {
		for k := range h {
			a, b := h[k], h[(k+1)%len(h)]
			if (b.DstX-a.DstX)*(y-a.DstY)-(b.DstY-a.DstY)*(x-a.DstX) < -1e-3 {
				return false // on the outer side of edge k (h winds with a positive cross product)
			}
		}
		return true
	}
	area := func(h []Vertex) float32 {
		s := float32(0)
		for k := range h {
			a, b := h[k], h[(k+1)%len(h)]
			s += a.DstX*b.DstY - b.DstX*a.DstY
		}
		return float32(math.Abs(float64(s))) / 2
	}
	p, at := midRun(t, LayerMinNodes)
	p.Seek(at + 2000)
	c := NewComposer()
	var f Frame
	c.Compose(p, 1024, 768, 1, &f)
	two := make([]float32, 0, 2*600)
	for i := 0; i < 600; i++ { // two groups of 300 apart, each a small disc
		a, r := float64(i)*2.39996, 6*math.Sqrt(float64(i%300))
		x := 200 + 500*float32(i/300)
		two = append(two, x+float32(r*math.Cos(a)), 300+float32(r*math.Sin(a)))
	}
	for _, tc := range []struct {
		name string
		px   []float32
		n    int
		r    float32
		disc bool
	}{{"disc", c.px, c.ln, c.nodeR, true}, {"two groups", two, 600, 3, false}} {
		var l NodeLayer
		l.build(tc.px, tc.n, tc.r, 3*tc.r, 1024, 768)
		if len(l.Hull) < 3 {
			t.Fatalf("%s: hull %v", tc.name, l.Hull)
		}
		// Orient the test by the hull's own winding.
		h := l.Hull
		if s := (h[1].DstX-h[0].DstX)*(h[2].DstY-h[0].DstY) - (h[1].DstY-h[0].DstY)*(h[2].DstX-h[0].DstX); s < 0 {
			h = slices.Clone(h)
			slices.Reverse(h)
		}
		owned := 0
		for y := 0; y < l.H; y++ {
			for x := 0; x < l.W; x++ {
				if l.Map[4*(y*l.W+x)+3] == 0 {
					continue
				}
				owned++
				cx, cy := float32(l.X+x)+0.5, float32(l.Y+y)+0.5
				if !inside(h, cx, cy) {
					t.Fatalf("%s: pixel (%v, %v) of the map names a node but lies outside the hull %v", tc.name, cx, cy, h)
				}
				if v := h[0]; v.SrcX != v.DstX-float32(l.X) || v.SrcY != v.DstY-float32(l.Y) {
					t.Fatalf("%s: hull vertex %v does not point at its place in the map", tc.name, v)
				}
			}
		}
		box := float32(l.W * l.H)
		t.Logf("%s: %d owned pixels, hull %.0f of the box's %.0f px", tc.name, owned, area(h), box)
		if owned == 0 {
			t.Fatalf("%s: no pixel of the map names a node", tc.name)
		}
		if tc.disc && area(h) > 0.9*box {
			t.Errorf("%s: the hull covers %.0f of the box's %.0f px: the corners are drawn", tc.name, area(h), box)
		}
		if area(h) > box+1 {
			t.Errorf("%s: the hull (%.0f px) is larger than the box (%.0f)", tc.name, area(h), box)
		}
	}
}
