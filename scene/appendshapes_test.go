package scene

import "testing"

// AppendShapes copies a run of shapes, in order, vertex for vertex, each
// sampled as it was, into a batch that may hold shapes already.
func TestAppendShapesCopiesARun(t *testing.T) {
	var b Batch
	b.Rect(10, 10, 20, 20, ColPanel)            // 0
	b.Sprite(SpriteDisc, 150, 150, 10, ColNews) // 1, sampled linearly
	b.Rect(120, 130, 300, 200, ColText)         // 2, big: nearest
	b.Dot(SpriteDisc, 50, 60, 4, ColNews)       // 3, linearly
	var dst Batch
	dst.Rect(0, 0, 1, 1, ColText)
	dst.AppendShapes(&b, 1, 4)
	if dst.Shapes() != 4 {
		t.Fatalf("%d shapes, want 1 + 3", dst.Shapes())
	}
	for k, i := range []int{1, 2, 3} {
		v, ix, base := b.shape(i)
		w, jx, wbase := dst.shape(k + 1)
		if len(v) != len(w) || len(ix) != len(jx) {
			t.Fatalf("shape %d of dst is not shape %d of the batch", k+1, i)
		}
		for n := range v {
			if v[n] != w[n] {
				t.Fatalf("shape %d: vertex %d is %v, want %v", i, n, w[n], v[n])
			}
		}
		for n := range ix {
			if ix[n]-base != jx[n]-wbase {
				t.Fatalf("shape %d: index %d is %d, want %d", i, n, jx[n]-wbase, ix[n]-base)
			}
		}
	}
	lin, want := dst.linearShapes(nil), b.linearShapes(nil)
	if !want[1] || want[2] || !want[3] {
		t.Fatalf("the batch samples its shapes %v: the test needs linear, nearest, linear", want)
	}
	for k := 1; k < 4; k++ {
		if lin[k] != want[k] {
			t.Errorf("shape %d sampled linearly: %v, want %v as in the batch", k, lin[k], want[k])
		}
	}
	// Out-of-range runs are cut to the batch, empty ones add nothing.
	n := dst.Shapes()
	dst.AppendShapes(&b, 3, 99)
	dst.AppendShapes(&b, 2, 2)
	dst.AppendShapes(&b, -5, 0)
	if dst.Shapes() != n+1 {
		t.Errorf("%d shapes after appending [3, 99), [2, 2) and [-5, 0); want %d", dst.Shapes(), n+1)
	}
}
