package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
)

// shot is a decoded screenshot.
type shot struct {
	img image.Image
}

func decodeShot(tb testing.TB, pngBytes []byte, keep string) shot {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		tb.Fatalf("screenshot is not a PNG: %v", err)
	}
	if keep != "" {
		if err := os.WriteFile(artifactPath(tb, keep), pngBytes, 0o644); err != nil {
			tb.Fatalf("keeping the screenshot: %v", err)
		}
	}
	return shot{img}
}

// pixelStats summarises a region of a screenshot.
type pixelStats struct {
	total      int
	nonBg      int         // pixels visibly different from the background
	colours    int         // distinct colours, 4 bits per channel
	near       map[int]int // pixels near each probe colour, by probe index
	background color.RGBA
}

// near reports whether two colours are within tol in every channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) <= tol && d(a.G, b.G) <= tol && d(a.B, b.B) <= tol
}

// stats counts, in rect, the pixels that differ from bg, the distinct
// colours, and the pixels within tol of each probe colour.
func (s shot) stats(rect image.Rectangle, bg color.RGBA, probes []color.RGBA, tol int) pixelStats {
	st := pixelStats{near: map[int]int{}, background: bg}
	seen := map[uint16]bool{}
	rect = rect.Intersect(s.img.Bounds())
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			r, g, b, _ := s.img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
			st.total++
			if !near(c, bg, 12) {
				st.nonBg++
			}
			seen[uint16(c.R>>4)<<8|uint16(c.G>>4)<<4|uint16(c.B>>4)] = true
			for i, p := range probes {
				if near(c, p, tol) {
					st.near[i]++
				}
			}
		}
	}
	st.colours = len(seen)
	return st
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}
