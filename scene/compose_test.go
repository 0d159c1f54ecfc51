package scene

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gossipscope/gossipscope/protocol"
)

func TestLayoutKeepsNodesApartAndInside(t *testing.T) {
	for _, n := range []int{1, 2, 7, 100, CircleMax, CircleMax + 1, 1000, 10000} {
		pos, r := Layout(n, nil)
		if len(pos) != 2*n || r <= 0 {
			t.Fatalf("n=%d: %d coordinates, radius %v", n, len(pos), r)
		}
		minD := math.Inf(1)
		for i := 0; i < n; i++ {
			x, y := float64(pos[2*i]), float64(pos[2*i+1])
			if math.Hypot(x, y)+float64(r) > 1.001 {
				t.Fatalf("n=%d: node %d at (%v,%v) r %v leaves the unit disc", n, i, x, y, r)
			}
			for j := i + 1; j < n && n <= 2000; j++ {
				minD = math.Min(minD, math.Hypot(x-float64(pos[2*j]), y-float64(pos[2*j+1])))
			}
		}
		if n > 1 && n <= 2000 && minD < 2*float64(r)*0.999 {
			t.Fatalf("n=%d: nodes %v apart overlap with radius %v", n, minD, r)
		}
	}
	// In the sunflower joining nodes add to the rim: old nodes keep their
	// angle and order from the centre, the disc only shrinks to fit.
	a, _ := Layout(500, nil)
	b, _ := Layout(600, nil)
	for i := 0; i < 500; i += 37 {
		if aa, bb := math.Atan2(float64(a[2*i+1]), float64(a[2*i])), math.Atan2(float64(b[2*i+1]), float64(b[2*i])); math.Abs(aa-bb) > 1e-5 {
			t.Fatalf("node %d turned from %v to %v", i, aa, bb)
		}
	}
}

func TestComposeDrawsWhatIsInFlight(t *testing.T) {
	evs := []protocol.Event{
		protocol.Header("sim", map[string]any{"nodes": 4, "period": 1000.0, "fanout": 1, "mode": "push"}),
		{Type: protocol.TypeState, T: 0, Node: "n0", Key: "k0", Version: 1},
		{Type: protocol.TypeMsg, T: 0, From: "n0", To: "n1", Kind: "push", Key: "k0", Version: 1, Arrive: 500},
		{Type: protocol.TypeMsg, T: 0, From: "n0", To: "n2", Kind: "push", Key: "k0", Version: 1, Lost: true},
		{Type: protocol.TypeMsg, T: 100, From: "n3", To: "n0", Kind: "pullreq", Arrive: 200},
		{Type: protocol.TypeState, T: 500, Node: "n1", Key: "k0", Version: 1},
		{Type: protocol.TypeRound, T: 1000, Round: 2},
	}
	p := load(t, Config{}, evs)
	c := NewComposer()
	var f Frame
	want := map[float64]int{ // time -> messages on screen
		50:  3, // n0->n1 under way; lost n0->n2 fading over the typical flight (300); the request from its lead-in (200-300 = -100)
		150: 3,
		260: 2, // the request landed
		320: 1, // the lost one faded
		499: 1,
		500: 0,
	}
	for at, n := range want {
		p.Seek(at)
		c.Compose(p, 800, 600, 1, &f)
		if f.Packets != n {
			t.Errorf("at %v: %d packets drawn, want %d", at, f.Packets, n)
		}
		for _, v := range append(f.Under.Vertices, f.Over.Vertices...) {
			if math.IsNaN(float64(v.DstX)) || math.IsNaN(float64(v.ColorA)) {
				t.Fatalf("at %v: NaN vertex %+v", at, v)
			}
		}
	}
	// A packet lands on its receiver exactly when it arrives: a triangle
	// whose centre (of its inscribed circle: the centroid, as it is
	// equilateral) is the receiver.
	p.Seek(499.999)
	c.Compose(p, 800, 600, 1, &f)
	x1, y1, _ := c.NodePos(1)
	if !hasDot(&f.Under, x1, y1, ColNews) {
		t.Fatal("no news packet drawn on n1 as it arrives")
	}
	// Clicking a node's position hits it; empty space hits nothing.
	if got := c.NodeAt(x1+1, y1-1); got != 1 {
		t.Fatalf("NodeAt(n1) = %d", got)
	}
	if got := c.NodeAt(1, 1); got != -1 {
		t.Fatalf("NodeAt(corner) = %d", got)
	}
	if f.Counts[Informed]+f.Counts[Stopped] != 1 || f.Counts[Uninformed] != 3 {
		t.Fatalf("class counts %v", f.Counts)
	}
}

// steadyAllocs returns the allocations per frame composing p at at and a
// millisecond later, over and over, on a w x h screen.
func steadyAllocs(p *Player, c *Composer, at float64, w, h float32, f *Frame) float64 {
	return testing.AllocsPerRun(20, func() {
		p.Seek(at + 1)
		c.Compose(p, w, h, 1, f)
		p.Seek(at)
		c.Compose(p, w, h, 1, f)
	})
}

func TestComposeSteadyFrameAllocatesNothing(t *testing.T) {
	p, at := midRun(t, 1000)
	c := NewComposer()
	c.Selected = 3
	var f Frame
	p.Seek(at)
	c.Compose(p, 1024, 768, 1, &f)
	c.Compose(p, 1024, 768, 1, &f)
	if allocs := steadyAllocs(p, c, at, 1024, 768, &f); allocs > 0 {
		t.Fatalf("%v allocations per steady frame, want 0", allocs)
	}
	texts := ""
	for _, tx := range f.Texts {
		texts += tx.S + "|"
	}
	for _, want := range []string{"Round ", "informed", "messages", "redundant", "lost", "theory", "n3 has "} {
		if !strings.Contains(texts, want) {
			t.Errorf("frame texts lack %q: %s", want, texts)
		}
	}
}

func TestProjectorAndInsetsChangeTheLayout(t *testing.T) {
	p := load(t, Config{}, gossip(50, 3, 100, 0, 3))
	p.Seek(1000)
	c := NewComposer()
	var f Frame
	c.Compose(p, 1200, 800, 1, &f)
	normal := maxTextSize(&f)
	x0, _, _ := c.NodePos(0)
	c.Projector = true
	c.Compose(p, 1200, 800, 1, &f)
	if big := maxTextSize(&f); big < normal*1.4 {
		t.Fatalf("projector text %v, normal %v", big, normal)
	}
	c.Projector = false
	c.Insets = Insets{Left: 300}
	c.Compose(p, 1200, 800, 1, &f)
	if x1, _, _ := c.NodePos(0); x1 <= x0 {
		t.Fatalf("a left inset did not move the nodes right: %v -> %v", x0, x1)
	}
}

func maxTextSize(f *Frame) float32 {
	m := float32(0)
	for _, t := range f.Texts {
		m = max(m, t.Size)
	}
	return m
}

func TestTheory(t *testing.T) {
	for _, n := range []int{10, 100, 1000, 100000} {
		push, logEst := TheoryRounds(n, 3, "push")
		pull, _ := TheoryRounds(n, 3, "pull")
		pp, _ := TheoryRounds(n, 3, "pushpull")
		if !(pp <= pull && pp <= push) || push < logEst || pp < math.Log(float64(n))/math.Log(8)-1 {
			t.Fatalf("n=%d: push %v pull %v pushpull %v log4 %v", n, push, pull, pp, logEst)
		}
		curve := Theory(n, 3, "push", 200)
		for i := 1; i < len(curve); i++ {
			if curve[i] < curve[i-1] || curve[i] > float64(n) {
				t.Fatalf("n=%d: curve not increasing within n: %v", n, curve)
			}
		}
	}
	if r, _ := TheoryRounds(1000, 3, "push"); r < 6 || r > 10 {
		t.Fatalf("push 1000 nodes fan-out 3: %v rounds, want log4(1000)=5 plus the slow tail", r)
	}
}

func TestNarration(t *testing.T) {
	evs := []protocol.Event{protocol.Header("sim", map[string]any{"nodes": 100, "period": 1000.0, "fanout": 3})}
	for i := 0; i < 100; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, Node: "n" + itoa(i), Status: protocol.StatusAlive})
	}
	evs = append(evs, protocol.Event{Type: protocol.TypeState, Node: "n0", Key: "k0", Version: 1})
	p := load(t, Config{}, evs)
	p.SetDone(false)
	p.Seek(0)
	if got := p.Narration(); got != "n0 has the news; nobody else knows yet. Every second each informed node tells 3 peers." {
		t.Fatalf("start: %q", got)
	}
	more := []protocol.Event{{Type: protocol.TypeRound, T: 3000, Round: 4}}
	for i := 0; i < 93; i++ {
		more = append(more, protocol.Event{Type: protocol.TypeMsg, T: 3000, From: "n0", To: "n" + itoa(1+i%99), Kind: "push", Key: "k0", Version: 1, Redundant: i < 9, Arrive: 3100})
	}
	for i := 1; i < 31; i++ {
		more = append(more, protocol.Event{Type: protocol.TypeState, T: 3100, Node: "n" + itoa(i), Key: "k0", Version: 1})
	}
	more = append(more, protocol.Event{Type: protocol.TypeNode, T: 3200, Node: "n99", Status: protocol.StatusDead})
	for i := range more {
		p.Append(&more[i])
	}
	p.Seek(3150)
	if got := p.Narration(); got != "Round 4: 31 of 100 nodes know the news; 9 of the 93 messages this round went to nodes that already knew." {
		t.Fatalf("round 4: %q", got)
	}
	p.Seek(3300)
	if got := p.Narration(); !strings.HasPrefix(got, "n99 crashed. Round 4: 31 of 99 nodes") {
		t.Fatalf("after a crash: %q", got)
	}
	if Thousands(1234567) != "1,234,567" || Thousands(-1000) != "-1,000" || Thousands(999) != "999" {
		t.Fatal("Thousands")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestPlaybackFollowsWallTime(t *testing.T) {
	pb := NewPlayback()
	pb.Tick(1000, 5000, true)
	if pb.T != 0 {
		t.Fatal("paused playback moved")
	}
	pb.Playing = true
	pb.SetSpeed(2)
	pb.Tick(1100, 5000, true) // 100 ms of wall time at 2x
	if pb.T != 200 {
		t.Fatalf("T = %v, want 200", pb.T)
	}
	pb.Tick(1100+10000, 5000, true) // a stalled tab: at most 250 ms counts
	if pb.T != 700 {
		t.Fatalf("after a stall T = %v, want 700", pb.T)
	}
	pb.SetSpeed(50)
	for w := 11100.0; pb.Playing; w += 100 {
		pb.Tick(w, 5000, true)
	}
	if pb.T != 5000 {
		t.Fatalf("stopped at %v, want the end", pb.T)
	}
	if pb.SetSpeed(math.NaN()) || pb.SetSpeed(0) || !pb.SetSpeed(1000) || pb.Speed != MaxSpeed {
		t.Fatalf("speed validation: %v", pb.Speed)
	}
	live := NewPlayback()
	live.Live, live.Playing = true, true
	live.Tick(0, 0, false)
	live.Tick(100, 10000, false) // the page joined late: jump to the stream
	if live.T != 10000-LiveLag {
		t.Fatalf("live T = %v", live.T)
	}
}

// hasDot reports whether b holds a triangle (Batch.Dot) centred at (x, y)
// in colour col.
func hasDot(b *Batch, x, y float32, col Color) bool {
	for _, ch := range b.Chunks() {
		idx := b.Indices[ch.I0:ch.I1]
		for i := 0; i+2 < len(idx); i += 3 {
			v := b.Vertices[ch.V0:]
			a, bb, cc := v[idx[i]], v[idx[i+1]], v[idx[i+2]]
			if idx[i+1] != idx[i]+1 || idx[i+2] != idx[i]+2 { // a quad's first triangle is (v, v+1, v+2) too: tell them apart by shape
				continue
			}
			if a.DstX != (bb.DstX+cc.DstX)/2 || bb.DstY != cc.DstY {
				continue
			}
			cx, cy := (a.DstX+bb.DstX+cc.DstX)/3, (a.DstY+bb.DstY+cc.DstY)/3
			if math.Abs(float64(cx-x)) < 0.5 && math.Abs(float64(cy-y)) < 0.5 && a.ColorR == col.R && a.ColorB == col.B {
				return true
			}
		}
	}
	return false
}

func TestAtlasAndBatch(t *testing.T) {
	img := NewAtlas().Img
	centre := img.RGBAAt(int(SpriteDisc)*SpriteSize+SpriteSize/2, SpriteSize/2)
	corner := img.RGBAAt(int(SpriteDisc)*SpriteSize, 0)
	ringMid := img.RGBAAt(int(SpriteRing)*SpriteSize+SpriteSize/2, SpriteSize/2)
	if centre.A != 255 || corner.A != 0 || ringMid.A != 0 {
		t.Fatalf("disc centre %v corner %v ring middle %v", centre, corner, ringMid)
	}
	// A dot's triangle stays inside its own cell, transparent at its
	// corners, opaque at its centre.
	var b Batch
	b.Dot(SpriteDisc, 100, 100, 10, ColNews)
	cx, cy := dotCentre(SpriteDisc)
	cell0 := float32(int(numSprites)*SpriteSize + int(SpriteDisc)*dotCell)
	for _, v := range b.Vertices {
		if v.SrcX < cell0 || v.SrcX > cell0+dotCell || v.SrcY < 0 || v.SrcY > dotCell {
			t.Fatalf("dot vertex samples outside its cell: %+v", v)
		}
		if a := img.RGBAAt(int(v.SrcX), int(v.SrcY)).A; a != 0 {
			t.Fatalf("dot corner at %v,%v not transparent: %d", v.SrcX, v.SrcY, a)
		}
	}
	if a := img.RGBAAt(int(cx), int(cy)).A; a != 255 {
		t.Fatalf("dot centre alpha %d", a)
	}
	b.Sprite(SpriteDisc, 10, 10, 5, ColNews)
	b.Rect(0, 0, 4, 4, ColText)
	b.Line(0, 0, 10, 0, 2, ColText, ColText)
	b.Line(3, 3, 3, 3, 2, ColText, ColText) // zero length: nothing
	if b.Shapes() != 4 || len(b.Vertices) != 15 || len(b.Indices) != 21 {
		t.Fatalf("shapes %d, %d vertices, %d indices", b.Shapes(), len(b.Vertices), len(b.Indices))
	}
	// Past 65,536 vertices a new chunk starts; indices stay within it.
	b.Reset()
	for i := 0; i < 30000; i++ {
		b.Dot(SpriteDisc, 1, 1, 1, ColNews)
		b.Rect(0, 0, 1, 1, ColText)
	}
	chunks := b.Chunks()
	if len(chunks) != 4 || chunks[len(chunks)-1].V1 != len(b.Vertices) || chunks[len(chunks)-1].I1 != len(b.Indices) {
		t.Fatalf("chunks %+v for %d vertices", chunks, len(b.Vertices))
	}
	for _, ch := range chunks {
		if ch.V1-ch.V0 > MaxChunkVertices {
			t.Fatalf("chunk %+v too big", ch)
		}
		for _, ix := range b.Indices[ch.I0:ch.I1] {
			if int(ix) >= ch.V1-ch.V0 {
				t.Fatalf("index %d outside chunk %+v", ix, ch)
			}
		}
	}
}

// TestNarrationLostAgrees: one message lost in a round "was lost", two
// "were lost".
func TestNarrationLostAgrees(t *testing.T) {
	for _, tc := range []struct {
		lost int
		want string
	}{{1, ", 1 was lost."}, {2, ", 2 were lost."}} {
		evs := []protocol.Event{protocol.Header("sim", map[string]any{"nodes": 10, "period": 1000.0, "fanout": 3})}
		for i := 0; i < 10; i++ {
			evs = append(evs, protocol.Event{Type: protocol.TypeNode, Node: "n" + itoa(i), Status: protocol.StatusAlive})
		}
		evs = append(evs, protocol.Event{Type: protocol.TypeState, Node: "n0", Key: "k0", Version: 1},
			protocol.Event{Type: protocol.TypeRound, T: 1000, Round: 1})
		for i := 0; i < 3; i++ {
			e := protocol.Event{Type: protocol.TypeMsg, T: 1000, From: "n0", To: "n" + itoa(1+i), Kind: "push", Key: "k0", Version: 1, Arrive: 1100}
			if i < tc.lost {
				e.Lost, e.Arrive = true, 0
			}
			evs = append(evs, e)
		}
		p := load(t, Config{}, evs)
		p.SetDone(false)
		p.Seek(1200)
		if got := p.Narration(); !strings.HasSuffix(got, tc.want) {
			t.Errorf("%d lost: %q, want it to end %q", tc.lost, got, tc.want)
		}
	}
}

// A crash stays in the narration for four periods (a class reads it and
// sees what follows), and the chart's scale says how many are live when
// some are not, as the counters count them.
func TestCrashStaysInSight(t *testing.T) {
	evs := []protocol.Event{protocol.Header("sim", map[string]any{"nodes": 10, "period": 1000.0, "fanout": 2})}
	for i := 0; i < 10; i++ {
		evs = append(evs, protocol.Event{Type: protocol.TypeNode, Node: "n" + itoa(i), Status: protocol.StatusAlive})
	}
	evs = append(evs,
		protocol.Event{Type: protocol.TypeState, Node: "n0", Key: "k0", Version: 1},
		protocol.Event{Type: protocol.TypeNode, T: 1000, Node: "n9", Status: protocol.StatusDead},
		protocol.Event{Type: protocol.TypeRound, T: 8000, Round: 8},
	)
	p := load(t, Config{}, evs)
	p.SetDone(false)
	p.Seek(4500)
	if got := p.Narration(); !strings.HasPrefix(got, "n9 crashed.") {
		t.Errorf("3.5 periods after the crash: %q", got)
	}
	p.Seek(5500)
	if got := p.Narration(); strings.HasPrefix(got, "n9 crashed.") {
		t.Errorf("4.5 periods after the crash, still: %q", got)
	}
	c := NewComposer()
	var f Frame
	c.Compose(p, 1280, 720, 1, &f)
	if _, ok := textsContain(&f, "max 10 (9 live)"); !ok {
		t.Errorf("no chart scale \"max 10 (9 live)\" in %v", f.Texts)
	}
}

// The page keeps Frame.Panel in an image redrawn when its vertices change:
// playing on for a second must change the values and the playhead (Over)
// but not the panel's card, labels, legend and chart frame.
// While a run plays, the panel's batch changes a few values and columns
// at a time: the page redraws only the boxes Damage finds, so every pixel
// outside them must be covered by the same shapes, in the same order.
func TestPanelDamageWhilePlaying(t *testing.T) {
	p, at := midRun(t, 1000)
	c := NewComposer()
	var f Frame
	var prev, clip Batch
	var d Damage
	p.Seek(at)
	c.Compose(p, 1280, 800, 1, &f)
	if f.Panel.Shapes() < 100 || f.PanelBox[2] <= f.PanelBox[0] {
		t.Fatalf("no panel batch (%d shapes, box %v)", f.Panel.Shapes(), f.PanelBox)
	}
	for _, tx := range f.Texts {
		if !tx.panel && (tx.S == "messages" || strings.HasPrefix(tx.S, "Round ") || strings.HasPrefix(tx.S, "t = ")) {
			t.Fatalf("%q is not in the panel's batch", tx.S)
		}
	}
	// Over the panel's image: only the playhead moves every frame.
	if f.Over.Shapes() > 5 {
		t.Fatalf("%d shapes over the panel, want the playhead and little else", f.Over.Shapes())
	}
	box := Box(f.PanelBox)
	bounds := Box{0, 0, 1280, 800}
	if _, full := d.Next(&f.Panel, bounds); !full {
		t.Fatal("the first frame is not drawn whole")
	}
	if boxes, full := d.Next(&f.Panel, bounds); full || len(boxes) != 0 {
		t.Fatalf("the same batch again: %d boxes to redraw (whole: %v)", len(boxes), full)
	}
	damaged, changed := 0, 0
	for i := 1; i <= 60; i++ {
		prev.CopyFrom(&f.Panel)
		p.Seek(at + float64(i)*16.7)
		c.Compose(p, 1280, 800, 1, &f)
		boxes, full := d.Next(&f.Panel, bounds)
		if full {
			t.Fatalf("frame %d: the whole panel redrawn while playing", i)
		}
		area := float32(0)
		for _, b := range boxes {
			area += b.area()
		}
		if area > box.area()/10 {
			t.Fatalf("frame %d: %d boxes of %.0f px to redraw, over a tenth of the panel's %.0f", i, len(boxes), area, box.area())
		}
		if len(boxes) > 0 {
			damaged++
			// The page redraws them in one batch, cut to the boxes.
			f.Panel.Clip(boxes, &clip)
			checkClip(t, &f.Panel, boxes, &clip)
			if ch := clip.Chunks(); len(ch) > 2 {
				t.Fatalf("frame %d: the boxes' redraw is %d runs, want one or two", i, len(ch))
			}
		}
		if !slices.Equal(prev.Vertices, f.Panel.Vertices) {
			changed++
		}
		// Outside the boxes, each pixel is under the same shapes as before.
		pb, cb := shapeBoxes(&prev), shapeBoxes(&f.Panel)
		for y := box[1] + 0.5; y < box[3]; y += 5 {
		pixel:
			for x := box[0] + 0.5; x < box[2]; x += 5 {
				for _, b := range boxes {
					if x >= b[0] && x < b[2] && y >= b[1] && y < b[3] {
						continue pixel
					}
				}
				a, b := shapesAt(pb, x, y), shapesAt(cb, x, y)
				if len(a) != len(b) {
					t.Fatalf("frame %d: (%v, %v) outside every box is under %d shapes, was %d", i, x, y, len(b), len(a))
				}
				for k := range a {
					if !sameShape(&prev, a[k], &f.Panel, b[k]) {
						t.Fatalf("frame %d: (%v, %v) outside every box: shape %d differs", i, x, y, k)
					}
				}
			}
		}
	}
	if changed == 0 || damaged != changed {
		t.Fatalf("%d of 60 frames changed the panel, %d had boxes to redraw", changed, damaged)
	}
	d.Forget() // a new image: all of it
	if _, full := d.Next(&f.Panel, bounds); !full {
		t.Fatal("after Forget, not drawn whole")
	}
}

func shapeBoxes(b *Batch) []Box {
	out := make([]Box, b.Shapes())
	for i := range out {
		out[i] = b.shapeBox(i)
	}
	return out
}

// shapesAt lists the shapes whose box holds (x, y), in order.
func shapesAt(boxes []Box, x, y float32) []int {
	var out []int
	for i, r := range boxes {
		if x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3] {
			out = append(out, i)
		}
	}
	return out
}

// A redrawn box gets every shape reaching into it, sampled as before,
// cut to the box.
func TestClipKeepsTheShapesInTheBox(t *testing.T) {
	var b, dst Batch
	b.Rect(0, 0, 100, 100, ColPanel)            // nearest: big
	b.Sprite(SpriteDisc, 20, 20, 5, ColFresh)   // linear
	b.Rect(60, 60, 10, 10, ColText)             // any
	b.Octagon(SpriteGlow, 90, 90, 8, ColFresh)  // linear, 6 triangles
	b.Line(0, 50, 100, 50, 2, ColText, ColText) // any
	box := Box{50, 45, 95, 95}
	b.Clip([]Box{box}, &dst)
	if dst.Shapes() != 4 {
		t.Fatalf("%d shapes in the box, want the card, the square, the glow and the line", dst.Shapes())
	}
	// Each piece is its shape's, cut to the box: the square lies inside
	// it, so it is as it was; the card, the glow and the line are cut.
	for i, want := range []int{0, 2, 3, 4} {
		sv, _, _ := b.shape(want)
		dv, _, _ := dst.shape(i)
		if dv[0].ColorR != sv[0].ColorR || dv[0].ColorA != sv[0].ColorA {
			t.Fatalf("piece %d has colour %v, shape %d %v", i, dv[0], want, sv[0])
		}
		if want == 2 && !sameShape(&b, want, &dst, i) {
			t.Fatal("the square inside the box is not as it was")
		}
		if sb := dst.shapeBox(i); sb[0] < box[0] || sb[1] < box[1] || sb[2] > box[2] || sb[3] > box[3] {
			t.Fatalf("piece %d spans %v, past the box %v", i, sb, box)
		}
	}
	if sb := dst.shapeBox(0); sb != box {
		t.Fatalf("the card cut to the box spans %v, want the box %v", sb, box)
	}
	checkClip(t, &b, []Box{box}, &dst)
	// In the batch the square, the glow and the line joined the sprite's
	// linear run: so they are in the clip, without the sprite.
	ch := dst.Chunks()
	if len(ch) != 2 || ch[0].Linear || !ch[1].Linear || ch[1].V0 != int(dst.starts[1].v) || ch[1].V1 != len(dst.Vertices) {
		t.Fatalf("runs %+v, want nearest (the card), linear (the square, the glow, the line)", ch)
	}
}

// The panel is copied onto the screen without blending only when nothing
// drawn before it reaches into its box: a copy over an earlier shape would
// erase it.
func TestPanelAloneOnlyWhenNothingIsUnderIt(t *testing.T) {
	p, at := midRun(t, 1000)
	c := NewComposer()
	var f Frame
	p.Seek(at)
	c.Compose(p, 1280, 800, 1, &f)
	if f.Under.Shapes() < 1000 {
		t.Fatalf("%d shapes under the panel's batch, want the nodes and more", f.Under.Shapes())
	}
	if !f.PanelAlone() {
		ub, _ := f.Under.Bounds()
		t.Fatalf("the panel (%v) is not alone at 1280x800; Under spans %v", f.PanelBox, ub)
	}
	// A message's dot reaching into the panel's box is under it.
	box := f.PanelBox
	f.Under.Dot(SpriteDisc, box[0]-2, box[1]+40, 3, ColFresh)
	if f.PanelAlone() {
		t.Fatal("a dot under the panel's left edge: still alone")
	}
	// Its triangle reaches 2r above its centre: past the box's top edge
	// it is not under it.
	f.Under.Reset()
	f.Under.Dot(SpriteDisc, box[0]+40, box[1]-6.5, 3, ColFresh)
	if b, _ := f.Under.Bounds(); b[3] != box[1]-3.5 || b[1] != box[1]-12.5 {
		t.Fatalf("a dot's triangle spans y %v..%v, want %v..%v", b[1], b[3], box[1]-12.5, box[1]-3.5)
	}
	if !f.PanelAlone() {
		t.Fatal("a dot above the panel's top edge: not alone")
	}
	// No panel, nothing to copy.
	c.HidePanel = true
	c.Compose(p, 1280, 800, 1, &f)
	if f.PanelAlone() {
		t.Fatal("no panel, yet alone")
	}
}
