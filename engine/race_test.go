//go:build race

package engine

// raceEnabled: the race detector slows every memory access of the kernels
// about tenfold, so the heaviest statistical tests use fewer trials.
const raceEnabled = true
