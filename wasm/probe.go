//go:build js && wasm

package main

import "runtime/metrics"

// gcProbe reads the runtime's garbage collection and allocation counters
// around a frame (runtime/metrics: no stop-the-world, unlike
// runtime.ReadMemStats).
type gcProbe struct {
	samples [2]metrics.Sample
	gc0     uint64
	alloc0  uint64
}

func (p *gcProbe) read() (gcs, alloc uint64) {
	if p.samples[0].Name == "" {
		p.samples[0].Name = "/gc/cycles/total:gc-cycles"
		p.samples[1].Name = "/gc/heap/allocs:bytes"
	}
	metrics.Read(p.samples[:])
	if p.samples[0].Value.Kind() == metrics.KindUint64 {
		gcs = p.samples[0].Value.Uint64()
	}
	if p.samples[1].Value.Kind() == metrics.KindUint64 {
		alloc = p.samples[1].Value.Uint64()
	}
	return gcs, alloc
}

func (p *gcProbe) begin() { p.gc0, p.alloc0 = p.read() }

// end returns the collections finished and the bytes allocated since begin.
func (p *gcProbe) end() (gcs int, alloc uint64) {
	g, a := p.read()
	return int(g - p.gc0), a - p.alloc0
}
