//go:build js && wasm

package main

import (
	"runtime/debug"
	"syscall/js"
	"time"
)

// startup is what the program does differently until its first frame is
// on screen: no garbage collection (bounded by a memory limit), and
// Performance marks for each step.
//
// Start-up allocates about 15 MB at 1,000 nodes (the 8 MB atlas first), and
// the collection that set off as main began cost about 40 ms of marking
// before the first frame. Collection resumes a little after the first frame
// is drawn: started at once, it would run in the same task, before the
// browser shows the frame.
type startup struct {
	done      bool
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
	markWhenShown()
	time.AfterFunc(gcResumeAfter, func() {
		debug.SetGCPercent(s.gcPercent)
		debug.SetMemoryLimit(s.memLimit)
	})
}

// markWhenShown marks when the browser has shown the first frame. It was drawn
// in a task of its own; the browser shows it at the end of the next
// rendering update, after that update's animation-frame callbacks (the
// page's refresh, ebiten's next frame), layout and paint. A task posted from
// one of those callbacks runs after it: there the frame is on screen
// ("gs:shown"). The page's firstFrame (gs:first-frame) is read in that
// update's callbacks, before ebiten's.
func markWhenShown() {
	win := js.Global()
	var onFrame, onShown js.Func
	onShown = js.FuncOf(func(js.Value, []js.Value) any {
		onShown.Release()
		mark("shown")
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
