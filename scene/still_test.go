package scene

import (
	"fmt"
	"image"
	"image/color"
	"testing"
)

// stillRun composes frames 0 to n of a run of nodes at 1280x800, 16.7 ms
// apart, from the moment most nodes glow, and calls frame with each frame
// cut in two (Frame.SplitStill).
func stillRun(t testing.TB, nodes, n int, frame func(k int, f *Frame, moving, still *Batch, a *Atlas)) {
	p := load(t, Config{}, gossip(nodes, 3, 400, 11, 12))
	c := NewComposer()
	var f Frame
	var moving, still Batch
	at, most := 0.0, 0
	for ms := 0.0; ms < 6000; ms += 50 {
		p.Seek(ms)
		c.Compose(p, 1280, 800, 1, &f)
		if g := c.ln - len(c.still); g > most {
			at, most = ms, g
		}
	}
	if most == 0 {
		t.Fatal("no node glows in the run's first 6 s")
	}
	for k := 0; k <= n; k++ {
		p.Seek(at + float64(k)*16.7)
		c.Compose(p, 1280, 800, 1, &f)
		if !f.SplitStill(&moving, &still, Parts{}) {
			t.Fatalf("frame %d: the layout moves (Still %d)", k, f.Still)
		}
		frame(k, &f, &moving, &still, c.Atlas())
	}
}

// The still part of a frame holds every node that neither glows nor
// grows, and none that does: what a plane redraws only where it changed
// must not change on every frame. The two parts hold every shape of the
// frame once.
func TestStillHoldsTheStillNodes(t *testing.T) {
	for _, nodes := range []int{100, 1000} {
		t.Run(fmt.Sprintf("nodes=%d", nodes), func(t *testing.T) {
			p := load(t, Config{}, gossip(nodes, 3, 400, 11, 12))
			c := NewComposer()
			var f Frame
			var moving, still Batch
			checked := 0
			for ms := 1000.0; ms < 6000; ms += 250 {
				p.Seek(ms)
				c.Compose(p, 1280, 800, 1, &f)
				if !f.SplitStill(&moving, &still, Parts{}) {
					t.Fatalf("%.0f ms: the layout moves", ms)
				}
				if got, want := moving.Shapes()+still.Shapes(), f.Shapes(); got != want {
					t.Fatalf("%.0f ms: %d shapes on the canvas and %d on the plane; the frame has %d", ms, moving.Shapes(), still.Shapes(), want)
				}
				// Which shapes of Under are centred on each node (a stamp, a
				// triangle around its disc, sits on the pixel corner nearest
				// the node's centre).
				before, after := map[int]int{}, map[int]int{}
				for s := 0; s < f.Under.Shapes(); s++ {
					v, _, _ := f.Under.shape(s)
					var x, y float32
					for _, p := range v {
						x, y = x+p.DstX/float32(len(v)), y+p.DstY/float32(len(v))
					}
					for i := 0; i < c.ln; i++ {
						if dx, dy := c.px[2*i]-x, c.px[2*i+1]-y; dx*dx+dy*dy <= 0.5 {
							if s < f.Still {
								before[i]++
							} else {
								after[i]++
							}
						}
					}
				}
				now := float32(p.now)
				var gained []float32
				if k := p.focus(p.cur); k >= 0 {
					gained = p.cur.gained[k]
				}
				for i, cl := range c.classes {
					// Glowing or growing (a node that just joined).
					_, _, glow, grown := c.nodeLook(i, cl, gained, p.cur.joined, now, c.glowFor(p), float32(p.moveTime()))
					glows := glow > 0 || grown < 1
					switch {
					case glows && (before[i] == 0 || after[i] > 0):
						t.Fatalf("%.0f ms: node %d glows or grows, yet %d of its shapes are before Still and %d after", ms, i, before[i], after[i])
					case !glows && after[i] == 0:
						t.Fatalf("%.0f ms: node %d is still (%v), yet none of its shapes is after Still", ms, i, cl)
					}
					if glows {
						checked++
					}
				}
			}
			if checked == 0 {
				t.Fatal("no node glowed in 6 s: the test shows nothing")
			}
		})
	}
}

// What the page's plane does on a software renderer (wasm/stillplane.go): draw
// the still part whole once, then on each frame clear the boxes Damage
// finds (up to 256 of them) and draw them again in one pass
// (RasterBoxes). After 40 frames of play the image is the very one the
// last still part draws whole, pixel for pixel, and it was never drawn
// whole while playing.
func TestStillPlaneRedrawnInBoxesLooksWhole(t *testing.T) {
	d := Damage{MaxBoxes: 256}
	var img *image.RGBA
	redrawn, boxes := 0, 0
	screen := Box{0, 0, 1280, 800}
	stillRun(t, 1000, 40, func(k int, f *Frame, _, still *Batch, a *Atlas) {
		bx, full := d.Next(still, screen)
		if k == 0 {
			img = image.NewRGBA(image.Rect(0, 0, 1280, 800))
			RasterBatch(img, image.Point{}, img.Rect, still, a.Img)
			return
		}
		if full {
			t.Fatalf("frame %d: drawn whole while playing", k)
		}
		var rs []image.Rectangle
		for _, b := range bx {
			r := image.Rect(int(b[0]), int(b[1]), int(b[2]), int(b[3]))
			for y := r.Min.Y; y < r.Max.Y; y++ {
				clear(img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)])
			}
			rs = append(rs, r)
			redrawn += r.Dx() * r.Dy()
		}
		boxes += len(rs)
		RasterBoxes(img, image.Point{}, rs, still, a.Img)
		whole := image.NewRGBA(img.Rect)
		RasterBatch(whole, image.Point{}, whole.Rect, still, a.Img)
		wantPixels(t, img, func(x, y int) color.RGBA { return whole.RGBAAt(x, y) })
	})
	if boxes == 0 {
		t.Fatal("no box redrawn in 40 frames of play")
	}
	t.Logf("%d boxes, %d px redrawn in 40 frames", boxes, redrawn)
}

// BenchmarkStillPlane is the CPU work of the plane a software renderer
// keeps (wasm/stillplane.go) at 1,000 nodes, 1280x800, while playing: finding
// what changed (Damage) and drawing it again (RasterBoxes), per frame.
func BenchmarkStillPlane(b *testing.B) {
	var (
		stills []Batch
		atlas  *Atlas
	)
	stillRun(b, 1000, 60, func(k int, _ *Frame, _, still *Batch, a *Atlas) {
		stills = append(stills, Batch{})
		stills[k].CopyFrom(still)
		atlas = a
	})
	img := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	screen := Box{0, 0, 1280, 800}
	d := Damage{MaxBoxes: 256}
	d.Next(&stills[0], screen)
	var rs []image.Rectangle
	px, n := 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bx, _ := d.Next(&stills[1+i%(len(stills)-1)], screen)
		rs = rs[:0]
		for _, x := range bx {
			r := image.Rect(int(x[0]), int(x[1]), int(x[2]), int(x[3]))
			rs = append(rs, r)
			px += r.Dx() * r.Dy()
		}
		n += len(rs)
		RasterBoxes(img, image.Point{}, rs, &stills[1+i%(len(stills)-1)], atlas.Img)
	}
	b.ReportMetric(float64(n)/float64(b.N), "boxes/op")
	b.ReportMetric(float64(px)/float64(b.N), "px/op")
}
