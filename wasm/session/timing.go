package session

import "slices"

// FrameCost is what one Draw cost, as the renderer measured it: enough to
// tell a slow frame's cause (a garbage collection, new glyphs, a rebuilt
// node map, a big upload) from the numbers alone.
type FrameCost struct {
	Ms        float64 // Go wall time in Draw
	ComposeMs float64 // building the frame in package scene
	QuadsMs   float64 // handing it to ebiten (uploads and DrawTriangles)
	GC        int     // garbage collections that finished during Draw
	GCMs      float64 // garbage collection work (assists, pauses) during Draw, as the runtime accounts it
	AllocKB   float64 // heap allocated during Draw
	Glyphs    int     // glyphs rasterized into the atlas
	MapBuilt  bool    // the node layer's map was rebuilt
	UploadKB  float64 // pixels written to GPU images (atlas, node map, node table)
}

// TimingFrames is how many frames the Draw time medians cover.
const TimingFrames = 61

// Timing records one Draw's cost. DrawMs and its parts are medians of the
// last TimingFrames frames: a mean would let one garbage collection or a
// first-time glyph rasterization dominate seconds of readings. DrawMaxMs
// and Slowest are the slowest frame since the window last started over.
func (s *Session) Timing(c FrameCost) {
	s.timings[s.timingN%TimingFrames] = c
	s.timingN++
	n := min(s.timingN, TimingFrames)
	var col [TimingFrames]float64
	med := func(part func(*FrameCost) float64) float64 {
		for i := 0; i < n; i++ {
			col[i] = part(&s.timings[i])
		}
		c := col[:n]
		slices.Sort(c)
		return c[n/2]
	}
	s.DrawMs = med(func(c *FrameCost) float64 { return c.Ms })
	s.ComposeMs = med(func(c *FrameCost) float64 { return c.ComposeMs })
	s.QuadsMs = med(func(c *FrameCost) float64 { return c.QuadsMs })
	if c.Ms > s.DrawMaxMs || s.timingN%TimingFrames == 0 {
		s.DrawMaxMs = c.Ms
		s.Slowest = c
	}
}

func (c FrameCost) frame() Frame {
	return Frame{Ms: ms3(c.Ms), Compose: ms3(c.ComposeMs), Quads: ms3(c.QuadsMs), GC: c.GC, GCMs: ms3(c.GCMs),
		AllocKB: ms3(c.AllocKB), Glyphs: c.Glyphs, MapBuilt: c.MapBuilt, UploadKB: ms3(c.UploadKB)}
}
