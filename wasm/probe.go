//go:build js && wasm

package main

import "runtime/metrics"

// gcProbe reads the runtime's garbage collection and allocation counters
// around a frame (runtime/metrics: no stop-the-world, unlike
// runtime.ReadMemStats).
type gcProbe struct {
	samples [4]metrics.Sample
	v0      [4]float64
}

var probeMetrics = [4]string{
	"/gc/cycles/total:gc-cycles",
	"/gc/heap/allocs:bytes",
	"/cpu/classes/gc/mark/assist:cpu-seconds", // marking the allocating goroutine was made to do
	"/cpu/classes/gc/pause:cpu-seconds",       // stop-the-world pauses
}

func (p *gcProbe) read() (v [4]float64) {
	if p.samples[0].Name == "" {
		for i, n := range probeMetrics {
			p.samples[i].Name = n
		}
	}
	metrics.Read(p.samples[:])
	for i, s := range p.samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			v[i] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			v[i] = s.Value.Float64()
		}
	}
	return v
}

func (p *gcProbe) begin() { p.v0 = p.read() }

// end returns what happened since begin: collections finished, bytes
// allocated, and ms of garbage collection work done in the meantime.
func (p *gcProbe) end() (gcs int, alloc uint64, gcMs float64) {
	v := p.read()
	return int(v[0] - p.v0[0]), uint64(v[1] - p.v0[1]), (v[2] - p.v0[2] + v[3] - p.v0[3]) * 1000
}
