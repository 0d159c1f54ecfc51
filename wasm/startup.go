//go:build js && wasm

package main

import (
	"runtime/debug"
	"sync/atomic"
	"syscall/js"
	"time"
)

// startup is what the program does differently until its first frame is
// on screen: no garbage collection (bounded by a memory limit), the
// playhead's clock held, and Performance marks for each step.
//
// Start-up allocates about 15 MB at 1,000 nodes (the 8 MB atlas first), and
// the collection that set off as main began cost about 40 ms of marking
// before the first frame. Collection resumes a little after the first frame
// is drawn: started at once, it would run in the same task, before the
// browser shows the frame.
//
// The clock starts once the first frame is on screen: the first tick
// simulates ahead (at 1,000 nodes 220-290 ms in the browser, its code run
// for the first time; the next ones 20-40 ms), and it ran in the animation
// frame that was to show the first picture, which the browser showed only
// after it. So did the first drawing of the plane (stillplane.go; the
// panel alone took 50-100 ms). Only the clock waits: calls of the JS API
// (a seek, a pause, a load) and clicks act at once.
type startup struct {
	done      bool
	shown     atomic.Bool // set from the browser's callback
	gcPercent int
	memLimit  int64
}

// startupMemLimit bounds the heap while collection waits for the first
// frame: far above what a start-up needs (about 15 MB at 1,000 nodes, under
// 200 MB at 10,000), far below what a browser allows. A page that never
// draws (no WebGL) collects at this limit.
const startupMemLimit = 512 << 20

// gcResumeAfter is how long after the first frame is drawn collection
// resumes: by then the browser has shown it.
const gcResumeAfter = 250 * time.Millisecond

func beginStartup() *startup {
	mark("main") // Go's start-up (package init) is over
	return &startup{gcPercent: debug.SetGCPercent(-1), memLimit: debug.SetMemoryLimit(startupMemLimit)}
}

// drawn ends the start-up once the first frame's draw calls are made
// (ebiten then flushes them to WebGL).
func (s *startup) drawn() {
	if s == nil || s.done {
		return
	}
	s.done = true
	mark("drawn")
	markWhenShown(&s.shown)
	time.AfterFunc(gcResumeAfter, func() {
		debug.SetGCPercent(s.gcPercent)
		debug.SetMemoryLimit(s.memLimit)
	})
}

// holdsClock reports whether the playhead's clock still waits for the first
// frame to be on screen.
func (s *startup) holdsClock() bool { return s != nil && !s.shown.Load() }

// markWhenShown marks when the browser has shown the first frame and
// starts the clock. The frame was drawn in a task of its own; the browser
// shows it at the end of the next rendering update, after that update's
// animation-frame callbacks (the page's refresh, ebiten's next frame),
// layout and paint. A task posted from one of those callbacks runs after
// it: there the frame is on screen ("gs:shown"). The page's firstFrame
// (gs:first-frame) is read in that update's callbacks, before ebiten's.
func markWhenShown(shown *atomic.Bool) {
	win := js.Global()
	var onFrame, onShown js.Func
	onShown = js.FuncOf(func(js.Value, []js.Value) any {
		onShown.Release()
		mark("shown")
		shown.Store(true)
		return nil
	})
	onFrame = js.FuncOf(func(js.Value, []js.Value) any {
		onFrame.Release()
		win.Call("setTimeout", onShown, 0)
		return nil
	})
	win.Call("requestAnimationFrame", onFrame)
}

// mark adds a Performance mark named "gs:"+name, so that the page's
// start-up can be read step by step (in DevTools, or by a benchmark through
// performance.getEntriesByType("mark")); index.html and web/page.js add
// the steps before and around it. Only start-up steps are marked, once each.
func mark(name string) {
	if p := js.Global().Get("performance"); p.Truthy() && p.Get("mark").Truthy() {
		p.Call("mark", "gs:"+name)
	}
}
