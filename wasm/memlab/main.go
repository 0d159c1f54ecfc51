//go:build js && wasm

// Command memlab is the page's second WebAssembly program, loaded only in
// memberlist mode: real memberlist nodes on an in-memory network (package
// memlab), with no server. It draws nothing: it streams protocol events to
// the page, which plays them as it plays the server's live lab, and takes
// the same commands. It runs in a Web Worker (web/memlab-worker.js), whose
// global gossipscopeMemlab is its JS API (docs/jsapi.md).
//
// It is its own module because memberlist makes it about 2.3 MB of gzip
// larger: the page's first load stays as small as it was.
package main

import (
	"encoding/json"
	"sync"
	"syscall/js"
	"time"

	"github.com/gossipscope/gossipscope/memlab"
	"github.com/gossipscope/gossipscope/protocol"
)

// flushEvery is how often events go to the page, batched as JSON Lines.
const flushEvery = 100 * time.Millisecond

// maxPending bounds the events waiting for the page (a hidden tab runs
// timers once a second): past it they are dropped and counted in a note.
const maxPending = 200_000

type bridge struct {
	mu      sync.Mutex
	lab     *memlab.Lab
	gen     int // which lab the pending events belong to
	pending []protocol.Event
	dropped int
	api     js.Value
}

func main() {
	b := &bridge{api: js.Global().Get("Object").New()}
	fn := func(name string, f func(args []js.Value) any) {
		b.api.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) }))
	}
	fn("start", b.start)
	fn("stop", func([]js.Value) any { b.stop(); return result(nil) })
	fn("command", b.command)
	fn("members", b.members)
	fn("counters", func([]js.Value) any { return b.query(func(l *memlab.Lab) any { return l.Counters() }) })
	fn("views", func([]js.Value) any { return b.query(func(l *memlab.Lab) any { return l.Views() }) })
	fn("running", func([]js.Value) any { return b.query(func(l *memlab.Lab) any { return l.Running() }) })
	js.Global().Set("gossipscopeMemlab", b.api)
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("gossipscope-memlab-ready"))
	for range time.Tick(flushEvery) {
		b.flush()
	}
}

func result(err error) any {
	if err != nil {
		return map[string]any{"ok": false, "error": err.Error()}
	}
	return map[string]any{"ok": true}
}

// toJS hands a Go value to JS through JSON (nested structs, nil pointers
// as null).
func toJS(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return result(err)
	}
	return js.Global().Get("JSON").Call("parse", string(data))
}

// start({nodes, speedup, awareness, latencyMs, peerTimeoutMs, seed}) stops any running
// cluster and starts a new one. Starting takes a while (each node joins
// over the in-memory network, which needs the event loop), so it happens
// in a goroutine: the header comes first in the stream, then the events.
func (b *bridge) start(args []js.Value) any {
	cfg := memlab.Config{}
	if len(args) > 0 && args[0].Type() == js.TypeObject {
		o := args[0]
		num := func(k string) float64 {
			if v := o.Get(k); v.Type() == js.TypeNumber {
				return v.Float()
			}
			return 0
		}
		cfg.Nodes = int(num("nodes"))
		cfg.Speedup = int(num("speedup"))
		cfg.Latency = time.Duration(num("latencyMs") * float64(time.Millisecond))
		cfg.PeerTimeout = time.Duration(num("peerTimeoutMs") * float64(time.Millisecond))
		cfg.Seed = uint64(num("seed"))
		if v := o.Get("awareness"); v.Type() == js.TypeBoolean {
			cfg.NoAwareness = !v.Bool()
		}
	}
	if cfg.Nodes < 0 || cfg.Nodes > memlab.MaxNodes || cfg.Speedup < 0 || cfg.Speedup > 100 || cfg.Latency < 0 || cfg.PeerTimeout < 0 {
		return map[string]any{"ok": false, "error": "nodes 1 to 50, speedup 1 to 100, latency and peer timeout not negative"}
	}
	b.stop()
	b.mu.Lock()
	b.gen++
	gen := b.gen
	b.pending, b.dropped = nil, 0
	b.mu.Unlock()
	cfg.Emit = func(evs []protocol.Event) { b.add(gen, evs) }
	go func() {
		l, err := memlab.New(cfg)
		if err != nil {
			b.add(gen, []protocol.Event{{Type: protocol.TypeNote, Text: "memberlist mode: " + err.Error()}})
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.gen != gen { // stopped or restarted meanwhile
			go l.Close()
			return
		}
		b.lab = l
		// The header goes first: events emitted while the nodes started
		// are already pending behind it.
		b.pending = append([]protocol.Event{l.Header()}, b.pending...)
	}()
	return result(nil)
}

func (b *bridge) add(gen int, evs []protocol.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen != b.gen {
		return
	}
	if len(b.pending)+len(evs) > maxPending {
		b.dropped += len(evs)
		return
	}
	b.pending = append(b.pending, evs...)
}

// flush sends the pending events to onEvents as JSON Lines, once the
// header is among them.
func (b *bridge) flush() {
	b.mu.Lock()
	if b.lab == nil || len(b.pending) == 0 && b.dropped == 0 {
		b.mu.Unlock()
		return
	}
	evs, dropped := b.pending, b.dropped
	b.pending, b.dropped = nil, 0
	b.mu.Unlock()
	var out []byte
	for i := range evs {
		line, err := protocol.Marshal(&evs[i])
		if err != nil {
			continue
		}
		out = append(append(out, line...), '\n')
	}
	if dropped > 0 {
		note := protocol.Event{Type: protocol.TypeNote, T: evs[len(evs)-1].T,
			Text: "memberlist mode: the page fell behind; dropped events"}
		if line, err := protocol.Marshal(&note); err == nil {
			out = append(append(out, line...), '\n')
		}
	}
	if f := b.api.Get("onEvents"); f.Type() == js.TypeFunction {
		f.Invoke(string(out))
	}
}

func (b *bridge) stop() {
	b.mu.Lock()
	l := b.lab
	b.lab = nil
	b.gen++
	b.pending = nil
	b.mu.Unlock()
	if l != nil {
		go l.Close() // shutting memberlists down waits on their timers
	}
}

func (b *bridge) current() *memlab.Lab {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lab
}

// command(json) runs one command (protocol.Command plus memlab's slow and
// leave); its reply comes in the stream with the command's id.
func (b *bridge) command(args []js.Value) any {
	l := b.current()
	if l == nil {
		return result(errNotRunning)
	}
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return map[string]any{"ok": false, "error": "command takes a JSON string"}
	}
	c, err := memlab.ParseCommand([]byte(args[0].String()))
	if err != nil {
		return result(err)
	}
	go l.Do(c)
	return result(nil)
}

// members(node): node's member table now, or null if it is not running.
func (b *bridge) members(args []js.Value) any {
	l := b.current()
	if l == nil || len(args) < 1 || args[0].Type() != js.TypeString {
		return js.Null()
	}
	table, ok := l.Members(args[0].String())
	if !ok {
		return js.Null()
	}
	return toJS(table)
}

func (b *bridge) query(f func(l *memlab.Lab) any) any {
	l := b.current()
	if l == nil {
		return js.Null()
	}
	return toJS(f(l))
}

type bridgeError string

func (e bridgeError) Error() string { return string(e) }

const errNotRunning = bridgeError("no memberlist cluster running: start one first")
