package scene

import "testing"

// Split sends each shape wholly inside the box to in, the others to out,
// in order and with their vertices as they were, and tells of a shape
// across the box's edge.
func TestSplitByBox(t *testing.T) {
	var b Batch
	box := Box{100, 100, 200, 200}
	b.Rect(110, 110, 20, 20, ColPanel)          // in
	b.Rect(10, 10, 20, 20, ColNews)             // out
	b.Sprite(SpriteDisc, 150, 150, 10, ColNews) // in, sampled linearly
	b.Rect(120, 130, 5, 5, ColText)             // in
	var in, out Batch
	if b.Split(box, &in, &out) {
		t.Fatal("no shape lies across the box's edge, yet Split says one does")
	}
	if in.Shapes() != 3 || out.Shapes() != 1 {
		t.Fatalf("%d shapes in, %d out; want 3 and 1", in.Shapes(), out.Shapes())
	}
	// In order, vertex for vertex.
	want := []int{0, 2, 3}
	for k, i := range want {
		v, _, _ := b.shape(i)
		w, _, _ := in.shape(k)
		if len(v) != len(w) || v[0] != w[0] || v[len(v)-1] != w[len(w)-1] {
			t.Fatalf("shape %d of in is not shape %d of the batch", k, i)
		}
	}
	// The sprite keeps its linear sampling, the rects their own run.
	lin := in.linearShapes(nil)
	if !lin[1] {
		t.Error("the sprite lost its linear sampling")
	}
	if v, _, _ := out.shape(0); v[0].DstX != 10 {
		t.Errorf("out holds %v, want the rect at 10,10", v[0])
	}
	b.Rect(190, 150, 30, 10, ColText) // across the right edge
	in.Reset()
	out.Reset()
	if !b.Split(box, &in, &out) {
		t.Error("a rect across the box's right edge is not reported")
	}
}
