//go:build js && wasm

// Command wasm is the gossipscope page's program: an ebiten game that draws
// the scene and a JS bridge (window.gossipscope) for the page's controls.
// Everything it shows is decided by package scene; this package only moves
// it to the screen and to JavaScript. See docs/jsapi.md.
package main

import (
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/gossipscope/gossipscope/wasm/session"
)

func main() {
	boot := beginStartup()
	g := newGame(session.New())
	g.boot = boot
	g.input.wake = g.poke
	g.canvas = ebitenCanvas()
	g.input.listen(g.canvas)
	wakeOnResize(g)
	g.warmUp()
	exposeBridge(g)
	ebiten.SetWindowTitle("gossipscope")
	ebiten.SetRunnableOnUnfocused(true) // keep animating in background and headless tabs
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	// Keep the last picture when Draw draws nothing new: ebiten then stops
	// presenting frames, and a page with nothing moving costs nothing
	// (frames.go).
	ebiten.SetScreenClearedEveryFrame(false)
	if err := ebiten.RunGame(g); err != nil {
		g.fatal(err)
		println("gossipscope:", err.Error())
	}
	select {} // keep the bridge answering (state().error says what stopped)
}

// wakeOnResize wakes a sleeping loop when the window changes size, so that
// ebiten lays the page out again at once. The page sends a resize too when
// it moves the canvas's box (web/page.js): where the canvas lies is read
// again then.
func wakeOnResize(g *game) {
	f := js.FuncOf(func(js.Value, []js.Value) any {
		g.lock()
		g.placeCanvas()
		g.touch() // the canvas's place and size count, not only a wake
		g.unlock()
		return nil
	})
	js.Global().Call("addEventListener", "resize", f) // for the life of the page
}
