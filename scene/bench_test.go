package scene

import (
	"fmt"
	"testing"
)

// midRun loads a push run over n nodes and puts the playhead where the
// most messages are in flight, as a frame in the busiest moment.
func midRun(b testing.TB, n int) (*Player, float64) {
	evs := gossip(n, 3, 400, 11, 12)
	p := load(b, Config{}, evs)
	busiest, best := 0.0, -1
	for r := 1; r <= 12; r++ {
		t := float64(r-1)*1000 + 200
		p.Seek(t)
		c := NewComposer()
		var f Frame
		c.Compose(p, 1024, 768, 1, &f)
		if f.Packets > best {
			busiest, best = t, f.Packets
		}
	}
	return p, busiest
}

// BenchmarkCompose is the Go work of one frame: node classes and colours,
// packets in flight, glows, panel, chart and texts, into reused buffers.
func BenchmarkCompose(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			p, at := midRun(b, n)
			c := NewComposer()
			var f Frame
			p.Seek(at)
			for i := 0; i < 40; i++ { // the node map is built over the first frames
				c.Compose(p, 1024, 768, 1, &f)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Time moves a little every frame, as when playing.
				p.Seek(at + float64(i%16))
				c.Compose(p, 1024, 768, 1, &f)
			}
			b.ReportMetric(float64(f.Packets), "packets")
			b.ReportMetric(float64(f.Shapes()), "shapes")
		})
	}
}

// BenchmarkSeekBack is a scrub backwards across a 10,000-node run: restore
// the nearest snapshot and replay to the target.
func BenchmarkSeekBack(b *testing.B) {
	p := load(b, Config{}, gossip(10000, 3, 400, 11, 12))
	b.ReportMetric(float64(p.Len()), "events")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Seek(11000)
		p.Seek(float64(1000 + i%7000))
	}
}

// BenchmarkAppend is storing events as a source produces them.
func BenchmarkAppend(b *testing.B) {
	evs := gossip(10000, 3, 400, 11, 12)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := NewPlayer(Config{})
		for j := range evs {
			p.Append(&evs[j])
		}
	}
	b.ReportMetric(float64(len(evs)), "events/op")
}

// BenchmarkFirstFrame is the first frame of a fresh composer (as after
// loading a scenario or resizing the window): the node layer's map, the
// glyphs of every text, the buffers at full size.
func BenchmarkFirstFrame(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			p, at := midRun(b, n)
			p.Seek(at + 2000)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := NewComposer()
				var f Frame
				c.Compose(p, 1024, 768, 1, &f)
			}
		})
	}
}

// BenchmarkNodeMap is building the node layer's map alone (once per
// layout: a load, a resize, a cut or heal, nodes joining).
func BenchmarkNodeMap(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			p, at := midRun(b, n)
			p.Seek(at + 2000)
			c := NewComposer()
			var f Frame
			c.Compose(p, 1024, 768, 1, &f)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.layer.build(c.px, c.ln, c.nodeR, 3*c.nodeR, f.W, f.H)
			}
			b.ReportMetric(float64(c.layer.W*c.layer.H), "px")
		})
	}
}

// BenchmarkDetails is the selected node's details while playing: every
// frame applies new events, so they are worked out again.
func BenchmarkDetails(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			p, at := midRun(b, n)
			p.Seek(at)
			p.Details(n / 2)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.Seek(at + float64(i%64)*10) // forward, a few events each frame
				if i%64 == 63 {
					b.StopTimer()
					p.Seek(at)
					p.Details(n / 2)
					b.StartTimer()
				}
				if _, ok := p.Details(n / 2); !ok {
					b.Fatal("no details")
				}
			}
		})
	}
}

// BenchmarkDamage is the page's look for what changed in the panel's
// batch (Damage.Next) at 1,000 nodes, 1280x800: steady, the same batch
// every frame (paused, or a frame where no value changed); playing, 60
// frames of play in turn, a few values and columns changing each.
func BenchmarkDamage(b *testing.B) {
	p, at := midRun(b, 1000)
	c := NewComposer()
	var f Frame
	frames := make([]Batch, 60)
	for i := range frames {
		p.Seek(at + float64(i)*16.7)
		c.Compose(p, 1280, 800, 1, &f)
		frames[i].CopyFrom(&f.Panel)
	}
	bounds := Box{0, 0, 1280, 800}
	b.Run("steady", func(b *testing.B) {
		var d Damage
		d.Next(&frames[0], bounds)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if boxes, full := d.Next(&frames[0], bounds); full || len(boxes) != 0 {
				b.Fatalf("the same batch: %d boxes (whole: %v)", len(boxes), full)
			}
		}
		b.ReportMetric(float64(frames[0].Shapes()), "shapes")
	})
	b.Run("playing", func(b *testing.B) {
		var d Damage
		d.Next(&frames[0], bounds)
		n := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			// Back from the last frame to the first is a big change: skip it.
			if i%len(frames) == 0 {
				b.StopTimer()
				d.Next(&frames[0], bounds)
				b.StartTimer()
				continue
			}
			boxes, full := d.Next(&frames[i%len(frames)], bounds)
			if full {
				b.Fatalf("frame %d: drawn whole while playing", i%len(frames))
			}
			n += len(boxes)
		}
		b.ReportMetric(float64(n)/float64(b.N), "boxes/op")
	})
}
