//go:build js && wasm

package main

import "syscall/js"

// softwareGL is what web/webgl.js learnt about the WebGL renderer when
// ebiten made its context: a software renderer (SwiftShader, llvmpipe)
// draws every pixel on the CPU, so the page draws less there.
type softwareGL struct {
	checked  bool
	on       bool
	renderer string
}

// check reads window.gossipscopeGL once the context exists (the first
// frame).
func (s *softwareGL) check() {
	if s.checked {
		return
	}
	s.checked = true
	info := js.Global().Get("gossipscopeGL")
	if info.Type() != js.TypeObject {
		return
	}
	if r := info.Get("renderer"); r.Type() == js.TypeString {
		s.renderer = r.String()
	}
	s.on = info.Get("software").Truthy()
}
