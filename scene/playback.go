package scene

import "math"

// Speed limits: slow motion to fast forward.
const (
	MinSpeed = 0.05
	MaxSpeed = 50
)

// LiveLag is how far behind the newest event a live playhead may fall
// before it jumps ahead, ms.
const LiveLag = 1500

// Playback turns wall-clock time into stream time. It is driven from wall
// time, not from frame ticks: when frames are slow the animation skips
// ahead instead of slowing down.
type Playback struct {
	T       float64 // stream time of the playhead, ms
	Playing bool
	Speed   float64 // stream ms per wall ms; 1 = real time
	Live    bool    // follow the newest events as they come

	lastWall float64 // wall ms at the previous Tick, NaN before the first
}

// NewPlayback returns a paused playback at time 0, real-time speed.
func NewPlayback() *Playback { return &Playback{Speed: 1, lastWall: math.NaN()} }

// SetSpeed sets the rate, clamped to [MinSpeed, MaxSpeed]; NaN or
// non-positive values leave it unchanged and return false.
func (pb *Playback) SetSpeed(x float64) bool {
	if math.IsNaN(x) || x <= 0 {
		return false
	}
	pb.Speed = math.Max(MinSpeed, math.Min(MaxSpeed, x))
	return true
}

// Tick advances the playhead to wall time wall (ms). end is how far the
// playhead may go (the stream's duration, or its horizon while the source
// is still producing); done says end is final, so playback stops there.
// In live mode the playhead follows wall time and may run past the last
// event (nothing happens in between). Tick returns the new time.
func (pb *Playback) Tick(wall, end float64, done bool) float64 {
	dt := 0.0
	if !math.IsNaN(pb.lastWall) {
		dt = math.Max(0, wall-pb.lastWall)
	}
	pb.lastWall = wall
	// A stalled tab (hidden, debugger) must not jump the story ahead.
	dt = math.Min(dt, 250)
	if !pb.Playing {
		return pb.T
	}
	pb.T += dt * pb.Speed
	if pb.Live {
		// Follow the stream: never fall more than LiveLag behind its newest
		// event (the page may join late, or a burst may have queued up).
		if pb.T < end-LiveLag {
			pb.T = end - LiveLag
		}
		return pb.T
	}
	if pb.T >= end {
		pb.T = math.Max(end, 0)
		if done {
			pb.Playing = false
		}
	}
	return pb.T
}

// Seek moves the playhead; it never goes below 0.
func (pb *Playback) Seek(t float64) {
	if math.IsNaN(t) || t < 0 {
		t = 0
	}
	pb.T = t
}
