package scene

import "math"

// drawSelectionLinks draws faint lines from the selected node to every
// peer it has already sent the news to.
func (c *Composer) drawSelectionLinks(p *Player, f *Frame) {
	sel := c.Selected
	if sel < 0 || sel >= c.ln {
		return
	}
	d := p.scanDetails(sel)
	if d == nil {
		return
	}
	x0, y0 := c.px[2*sel], c.px[2*sel+1]
	col := ColSelected.Alpha(0.35)
	for _, j := range d.sentTo {
		if int(j) < c.ln {
			f.Under.Line(x0, y0, c.px[2*j], c.px[2*j+1], 1.5*c.scale, col, col.Alpha(0.4))
		}
	}
}

// drawPackets draws every message on its way at the playhead: a dot moving
// from sender to receiver, with a faint trail when there are few enough to
// follow. Lost ones fade out half way, redundant ones are hollow grey,
// requests without the news are small and blue.
//
// A message is on screen for at least minShow and always reaches its
// receiver exactly when it arrives, so the receiver lights up as the dot
// lands; a faster message (zero latency: the classic round model) leaves
// its sender a little before it was sent.
//
// Past as many as cover the nodes' area once (at most MaxPackets) an even
// sample is drawn: every stride-th
// message of the log, by its place in the log, so that the same messages
// stay on screen from frame to frame (no flicker) and the others cost
// nothing.
func (c *Composer) drawPackets(p *Player, f *Frame) {
	b := &f.Under
	l := p.log
	now := p.now
	minShow := p.minShow()
	lostFly := l.typicalFlight(0)
	window := math.Max(l.maxFly, lostFly)
	// The messages that can be on screen: sent in [now-window, now+minShow]
	// (binary searches: a 10,000-node run has tens of thousands in there).
	first := l.search(math.Nextafter(now-window, math.Inf(-1)))
	last := l.search(now + minShow)
	// Trails only when few enough to follow, and a sample when too many
	// to draw (both judged on the last frame's count: close enough, and it
	// saves a pass).
	trails := c.lastPackets <= c.trailsMax()
	R := c.nodeR
	pr := c.packetRadius()
	// As many dots as cover the nodes' area once (at least 1,500, at most
	// MaxPackets): past that they only pile up on each other, and each
	// costs the frame as much as the last.
	most := int(clampF32(c.arr.area/(math.Pi*pr*pr), 1500, MaxPackets))
	if c.CPUDrawn {
		// A software renderer pays about 2.5 µs of the GPU process for
		// every triangle, most of it before any pixel (a dot is one): at
		// 1,000 nodes the dots were a quarter of the frame. Half the
		// sample keeps the same even spread for half the cost.
		most /= 2
	}
	// How many are in flight, roughly, from the log alone (two binary
	// searches): the events of the last typical flight. It overcounts a
	// little (state events, arrivals already made), which only samples a
	// little more; judging by the last frame instead would feed back.
	est := max(last-l.search(now-lostFly), 0)
	stride := 1 + est/most
	hardCap := most + most/4 // one frame after a jump, before the stride catches up
	tw := max(1.5*c.scale, min(R*0.3, 3*c.scale))
	if trails {
		b.Reserve(min(est, hardCap), min(est, hardCap))
	} else {
		b.Reserve(0, min(est, hardCap))
	}
	drawn := 0
	start := last - 1
	if stride > 1 {
		start -= start % stride
	}
	i := start
	for ; i >= first; i -= stride {
		r := &l.recs[i]
		q, alpha, ok := c.packetAt(p, r, now, minShow, lostFly)
		if !ok {
			continue
		}
		if drawn++; drawn > hardCap {
			drawn--
			break
		}
		x0, y0 := c.px[2*r.a], c.px[2*r.a+1]
		x1, y1 := c.px[2*r.b], c.px[2*r.b+1]
		x := x0 + (x1-x0)*q
		y := y0 + (y1-y0)*q
		var col Color
		sprite, rad := SpriteDisc, pr
		cat := catData
		if int(r.kind) < len(l.kindCat) {
			cat = l.kindCat[r.kind]
		}
		switch {
		case r.flags&flagLost != 0:
			col = ColLost
		case cat == catProbe:
			// Failure detection runs all the time: small and faint, so
			// that the messages carrying data stand out.
			col, rad, alpha = ColProbe, pr*0.5, alpha*0.6
		case cat == catMember:
			col, rad = ColMember, pr*0.85
		case cat == catSync:
			col, sprite, rad = ColSync, SpriteRing, pr*1.15
		case r.key == math.MaxUint16 || r.kind == kindPullReq:
			col, rad = ColRequest, pr*0.6
		case r.flags&flagRedundant != 0:
			col, sprite, rad = ColRedundant, SpriteRing, pr*1.1
		default:
			col = ColNews
		}
		if trails {
			b.Line(x0, y0, x, y, tw, col.Alpha(0.08*alpha), col.Alpha(0.6*alpha))
		}
		c.dot(b, sprite, x, y, rad, col.Alpha(alpha))
	}
	f.Packets = drawn
	f.InFlight = drawn * stride
	if i >= first && start > i {
		f.InFlight = max(f.InFlight, est) // stopped at the cap
	}
	c.lastPackets = f.InFlight
}

// Message trails are drawn while at most this many messages are in flight
// (the last frame's count): past that they blur into a haze. A software
// renderer pays per triangle more than per pixel, and a trail is two
// triangles beside its dot's one, so there they stop sooner: at 1,000
// nodes the dots alone are what is left to follow anyway.
const (
	TrailsGPU = 1500
	TrailsCPU = 300
)

func (c *Composer) trailsMax() int {
	if c.CPUDrawn {
		return TrailsCPU
	}
	return TrailsGPU
}

// packetAt returns where along its way (0 sender .. 1 receiver) message r
// is drawn at now and how opaque, or ok false if it is not on screen.
func (c *Composer) packetAt(p *Player, r *rec, now, minShow, lostFly float64) (q, alpha float32, ok bool) {
	if r.typ != typMsg || int(max(r.a, r.b)) >= c.ln {
		return 0, 0, false
	}
	fl := float64(r.flight)
	lost := r.flags&flagLost != 0
	if lost {
		fl = lostFly
	}
	d := math.Max(fl, minShow)
	end := r.t + fl
	start := end - d
	if now < start || now >= end {
		return 0, 0, false
	}
	if r.t > now { // drawn ahead of its send: only once the sender has the news
		cur := p.cur
		if r.key != math.MaxUint16 && (int(r.key) >= len(cur.hold) || int(r.a) >= len(cur.hold[r.key]) || cur.hold[r.key][r.a] == noVersion) {
			return 0, 0, false
		}
	}
	u := float32((now - start) / d)
	if lost {
		return 0.5 * u, 1 - u, true
	}
	return u, 1, true
}

// packetRadius is the radius of a message's dot, px.
func (c *Composer) packetRadius() float32 {
	R := c.nodeR
	if c.ln > 2000 {
		return max(R*0.8, 1.6*c.scale) // thousands of dots: keep them small
	}
	return min(max(R*0.8, 4*c.scale), 8*c.scale)
}

// dot draws a message's dot: its stamp, or the scaled sprite when it has
// none (too big for the band).
func (c *Composer) dot(b *Batch, s Sprite, x, y, r float32, col Color) {
	for i := range c.dotKinds {
		if k := &c.dotKinds[i]; k.S == s && k.R == r {
			b.DotStamp(*k, x, y, col)
			return
		}
	}
	if k, ok := c.atlas.dotStamp(s, r); ok {
		c.dotKinds = append(c.dotKinds, k)
		b.DotStamp(k, x, y, col)
		return
	}
	b.Dot(s, x, y, r, col)
}
