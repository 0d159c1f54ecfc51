//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"runtime"
	"syscall/js"

	"github.com/gossipscope/gossipscope/engine"
	"github.com/gossipscope/gossipscope/scene"
	"github.com/gossipscope/gossipscope/wasm/session"
)

// exposeBridge sets window.gossipscope (the page's JS API, docs/jsapi.md)
// and announces it with a "gossipscope-ready" event. Every call is
// synchronous, returns plain JS values, and reports failures as
// {ok: false, error} — it never throws into JS and never panics in Go.
// The page's callbacks (onSelect, onCommand) are called only after the
// game's lock is released, so they may call the API themselves.
func exposeBridge(g *game) {
	api := js.Global().Get("Object").New()
	keep := []js.Func{} // referenced for the life of the page
	// Calls that only read leave the picture alone; every other call may
	// change it, so the next frame is composed again (frames.go).
	readers := map[string]bool{"scenario": true, "state": true, "legend": true, "keys": true, "memory": true, "frames": true, "plan": true, "texts": true, "nodePos": true, "limits": true}
	def := func(name string, fn func(s *session.Session, args []js.Value) any) {
		reads := readers[name]
		f := js.FuncOf(func(this js.Value, args []js.Value) (out any) {
			g.lock()
			defer g.unlock() // then the JS calls the call queued (onCommand)
			if !reads {
				g.touch()
			}
			defer func() {
				if v := recover(); v != nil {
					msg := fmt.Sprintf("%s: internal error: %v", name, v)
					g.s.SetError(msg)
					out = result(fmt.Errorf("%s", msg))
				}
			}()
			return fn(g.s, args)
		})
		keep = append(keep, f)
		api.Set(name, f)
	}
	ok := map[string]any{"ok": true}
	void := func(do func(s *session.Session)) func(*session.Session, []js.Value) any {
		return func(s *session.Session, _ []js.Value) any { do(s); return ok }
	}
	withErr := func(do func(s *session.Session, args []js.Value) error) func(*session.Session, []js.Value) any {
		return func(s *session.Session, args []js.Value) any { return result(do(s, args)) }
	}

	def("load", withErr(func(s *session.Session, a []js.Value) error { return s.Load(str(a, 0)) }))
	def("scenario", func(s *session.Session, _ []js.Value) any { return s.Scenario() })
	def("play", void((*session.Session).Play))
	def("pause", void((*session.Session).Pause))
	def("toggle", void((*session.Session).Toggle))
	def("stepRound", void((*session.Session).StepRound))
	def("stepMessage", void((*session.Session).StepMessage))
	def("restart", void((*session.Session).Restart))
	def("setSpeed", withErr(func(s *session.Session, a []js.Value) error { return s.SetSpeed(num(a, 0)) }))
	def("seek", withErr(func(s *session.Session, a []js.Value) error { return s.Seek(num(a, 0)) }))
	def("crash", withErr(func(s *session.Session, a []js.Value) error { return s.Crash(str(a, 0)) }))
	def("restartNode", withErr(func(s *session.Session, a []js.Value) error { return s.RestartNode(str(a, 0)) }))
	def("partition", withErr(func(s *session.Session, _ []js.Value) error { return s.Partition() }))
	def("heal", withErr(func(s *session.Session, _ []js.Value) error { return s.Heal() }))
	def("join", withErr(func(s *session.Session, a []js.Value) error {
		n := 1.0
		if len(a) > 0 && a[0].Type() == js.TypeNumber {
			n = a[0].Float()
		}
		if n != math.Trunc(n) || n < 1 || n > 1e5 {
			return s.Fail(fmt.Errorf("join: %v is not a whole number of nodes in 1..100000", n))
		}
		return s.Join(int(n))
	}))
	def("setLoss", withErr(func(s *session.Session, a []js.Value) error { return s.SetLoss(num(a, 0)) }))
	def("update", withErr(func(s *session.Session, a []js.Value) error { return s.Update(str(a, 0)) }))
	def("select", withErr(func(s *session.Session, a []js.Value) error { return s.Select(str(a, 0)) }))
	def("setKey", withErr(func(s *session.Session, a []js.Value) error { return s.SetKey(str(a, 0)) }))
	def("loadRecording", func(s *session.Session, a []js.Value) any {
		res, err := s.LoadRecording(str(a, 0))
		out := result(err)
		out["events"] = res.Events
		out["skipped"] = res.Skipped
		if err == nil && res.Warning != "" {
			out["error"] = res.Warning // played, but some lines were skipped
		}
		return out
	})
	def("feed", withErr(func(s *session.Session, a []js.Value) error { return s.Feed(str(a, 0)) }))
	def("live", void0(func(s *session.Session, a []js.Value) { s.Live(boolean(a, 0)) }))
	def("setProjector", void0(func(s *session.Session, a []js.Value) { s.SetProjector(boolean(a, 0)) }))
	def("setInsets", void0(func(s *session.Session, a []js.Value) {
		// The window's margins, CSS px: the session turns them into the
		// canvas's, which may have moved with the page's layout.
		s.SetInsets(num(a, 0), num(a, 1), num(a, 2), num(a, 3))
		g.placeCanvas()
	}))
	def("setOverlay", func(s *session.Session, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			for _, k := range []string{"narration", "legend", "panel"} {
				if v := a[0].Get(k); v.Type() == js.TypeBoolean {
					s.SetOverlay(k, v.Bool())
				}
			}
		}
		out := session.Values(s.Overlay()).(map[string]any)
		out["ok"] = true
		return out
	})
	def("legend", func(s *session.Session, _ []js.Value) any { return session.Values(s.Legend()) })
	// The scenario's limits, the engine's own, for the page's form.
	def("limits", func(*session.Session, []js.Value) any {
		return map[string]any{"nodes": map[string]any{"min": engine.MinNodes, "max": engine.MaxNodes}}
	})
	def("memory", func(s *session.Session, a []js.Value) any {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return map[string]any{"heapMB": float64(m.HeapAlloc) / 1e6, "sysMB": float64(m.Sys) / 1e6, "numGC": int(m.NumGC), "pauseMs": float64(m.PauseTotalNs) / 1e6, "mallocs": float64(m.Mallocs), "totalAllocMB": float64(m.TotalAlloc) / 1e6}
	})
	def("keys", func(s *session.Session, _ []js.Value) any { return session.Values(s.Keys()) })
	def("plan", func(_ *session.Session, a []js.Value) any { return planCall(a) })
	def("frames", func(*session.Session, []js.Value) any { return float64(g.frames) })
	// setPlane(false) draws the whole frame on ebiten's canvas even on a
	// software renderer (a recording captures only that canvas);
	// setPlane(true) lets its still part move to its plane again
	// (stillplane.go).
	def("setPlane", func(_ *session.Session, a []js.Value) any {
		g.planeOff = !boolean(a, 0)
		g.redraw()
		return map[string]any{"ok": true, "on": !g.planeOff}
	})
	// leaveOut({under, nodeLayer, panel, over}): a diagnostic that stops
	// drawing those parts of the frame (true) until called again; the
	// page benchmark uses it to tell what each part costs.
	def("leaveOut", func(_ *session.Session, a []js.Value) any {
		var o scene.Parts
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			o = scene.Parts{Under: a[0].Get("under").Truthy(), NodeLayer: a[0].Get("nodeLayer").Truthy(), Panel: a[0].Get("panel").Truthy(), Over: a[0].Get("over").Truthy()}
		}
		g.r.leftOut = o
		g.redraw()
		return map[string]any{"ok": true, "under": o.Under, "nodeLayer": o.NodeLayer, "panel": o.Panel, "over": o.Over}
	})
	def("state", func(s *session.Session, a []js.Value) any {
		st := session.Values(s.State()).(map[string]any)
		st["frames"] = float64(g.frames)
		st["idle"] = g.idle()
		st["asleep"] = g.sleeping.Load()
		st["nodeLayer"] = s.Composer.NodeLayerOn()
		st["software"] = g.software.on
		st["renderer"] = g.software.renderer
		// Triangles of the last composed frame by batch, and of its still
		// part when the plane showed it (the rest went to the canvas):
		// what a software renderer pays for most (docs/benchmarks.md).
		st["plane"] = g.r.plane.shown
		still := 0
		if g.r.plane.shown {
			still = len(g.r.still.Indices) / 3
		}
		st["triangles"] = map[string]any{"under": len(g.frame.Under.Indices) / 3, "over": len(g.frame.Over.Indices) / 3, "panel": len(g.frame.Panel.Indices) / 3, "still": still}
		// state({geometry: false}) leaves it out: with every node's place
		// (up to scene.CircleMax) it is most of the call's cost, and the
		// page's own refresh does not read it.
		if len(a) == 0 || a[0].Type() != js.TypeObject || a[0].Get("geometry").Type() != js.TypeBoolean || a[0].Get("geometry").Bool() {
			st["geometry"] = g.geometry()
		}
		st["hover"] = g.hovered()
		return st
	})
	def("texts", func(*session.Session, []js.Value) any { return g.texts() })
	def("nodePos", func(s *session.Session, a []js.Value) any {
		i, ok := s.Player.Node(str(a, 0))
		if !ok {
			return result(fmt.Errorf("nodePos: no node %q", str(a, 0)))
		}
		x, y, ok := s.Composer.NodePos(i)
		if !ok {
			return result(fmt.Errorf("nodePos: %q is not drawn", str(a, 0)))
		}
		wx, wy := s.InWindow(x, y)
		return map[string]any{"ok": true, "x": wx, "y": wy}
	})

	// Both run after the lock is released (game.unlock), never inside a
	// call or a frame, so a handler may call the API straight away.
	g.s.OnCommand = func(cmd string) {
		g.later(func() {
			if f := api.Get("onCommand"); f.Type() == js.TypeFunction {
				f.Invoke(cmd)
			}
		})
	}
	g.onWake = func() {
		if f := api.Get("onWake"); f.Type() == js.TypeFunction {
			f.Invoke()
		}
	}
	g.onSelect = func(name string, c click) {
		f := api.Get("onSelect")
		if f.Type() != js.TypeFunction {
			return
		}
		var n any = name
		if name == "" {
			n = js.Null()
		}
		f.Invoke(n, map[string]any{"shiftKey": c.shift, "altKey": c.alt, "ctrlKey": c.ctrl, "metaKey": c.meta, "pointerType": c.pointerType})
	}
	js.Global().Set("gossipscope", api)
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("gossipscope-ready"))
}

func void0(do func(s *session.Session, a []js.Value)) func(*session.Session, []js.Value) any {
	return func(s *session.Session, a []js.Value) any { do(s, a); return map[string]any{"ok": true} }
}

func result(err error) map[string]any {
	if err != nil {
		return map[string]any{"ok": false, "error": err.Error()}
	}
	return map[string]any{"ok": true}
}

// str reads argument i as a string; null, undefined and missing are "".
func str(a []js.Value, i int) string {
	if i >= len(a) {
		return ""
	}
	switch a[i].Type() {
	case js.TypeString:
		return a[i].String()
	case js.TypeNull, js.TypeUndefined:
		return ""
	}
	return a[i].Call("toString").String()
}

// num reads argument i as a number; anything else is NaN (and the session
// reports it).
func num(a []js.Value, i int) float64 {
	if i >= len(a) {
		return math.NaN()
	}
	switch a[i].Type() {
	case js.TypeNumber:
		return a[i].Float()
	case js.TypeString:
		var f float64
		if _, err := fmt.Sscan(a[i].String(), &f); err == nil {
			return f
		}
	}
	return math.NaN()
}

func boolean(a []js.Value, i int) bool { return i < len(a) && a[i].Truthy() }
