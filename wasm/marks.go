//go:build js && wasm

package main

import "syscall/js"

// mark adds a Performance mark named "gs:"+name, so that the page's
// start-up can be read step by step (in DevTools, or by a benchmark through
// performance.getEntriesByType("mark")); index.html and web/page.js add
// the steps before and around it. Only start-up steps are marked, once each.
func mark(name string) {
	if p := js.Global().Get("performance"); p.Truthy() && p.Get("mark").Truthy() {
		p.Call("mark", "gs:"+name)
	}
}
