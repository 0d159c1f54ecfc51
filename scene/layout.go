package scene

import "math"

// CircleMax is the largest cluster laid out on a circle: up to this size a
// ring shows every message as a chord across it; beyond, a sunflower disc
// packs thousands of nodes evenly.
const CircleMax = 128

// goldenAngle spreads sunflower seeds evenly (Vogel's model).
var goldenAngle = math.Pi * (3 - math.Sqrt(5))

// Layout returns n node positions in the unit disc (x, y in [-1, 1], y
// down) and the node radius in the same units, the largest that keeps
// neighbours apart. In the sunflower node i keeps its angle and its order
// from the centre when n grows, so joining nodes add to the rim instead of
// reshuffling the disc.
func Layout(n int, pos []float32) (out []float32, radius float32) {
	out = pos[:0]
	if n <= 0 {
		return out, 0
	}
	if n == 1 {
		return append(out, 0, 0), 0.12
	}
	if n <= CircleMax {
		const ring = 0.9
		for i := 0; i < n; i++ {
			a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
			out = append(out, float32(ring*math.Cos(a)), float32(ring*math.Sin(a)))
		}
		chord := 2 * ring * math.Sin(math.Pi/float64(n))
		return out, float32(math.Min(0.45*chord, 0.09))
	}
	// Sunflower: seed i at radius sqrt(i+0.5)/sqrt(n), so equal areas hold
	// equal counts; spacing between seeds is about sqrt(pi/n).
	s := 0.99 / (math.Sqrt(float64(n)) + 0.75) // the rim and its radius stay inside
	for i := 0; i < n; i++ {
		r := s * math.Sqrt(float64(i)+0.5)
		a := float64(i) * goldenAngle
		out = append(out, float32(r*math.Cos(a)), float32(r*math.Sin(a)))
	}
	return out, float32(0.42 * s * math.Sqrt(math.Pi))
}
