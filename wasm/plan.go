//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"github.com/gossipscope/gossipscope/engine"
)

// planCall is the JS API's plan(settings): engine.Plan for memberlist's
// dissemination settings (docs/jsapi.md). Missing fields take
// engine.DefaultPlanConfig's values. It returns the result as a plain JS
// object with ok: true, or {ok: false, error}.
func planCall(a []js.Value) any {
	c := engine.DefaultPlanConfig()
	if len(a) > 0 && a[0].Type() == js.TypeObject {
		o := a[0]
		num := func(name string, set func(float64)) {
			if v := o.Get(name); v.Type() == js.TypeNumber {
				set(v.Float())
			}
		}
		num("nodes", func(x float64) { c.Nodes = int64(x) })
		num("interval", func(x float64) { c.Interval = x })
		num("gossipNodes", func(x float64) { c.GossipNodes = int(x) })
		num("retransmitMult", func(x float64) { c.RetransmitMult = int(x) })
		num("loss", func(x float64) { c.Loss = x })
		num("failed", func(x float64) { c.Failed = int64(x) })
		num("trials", func(x float64) { c.Trials = int(x) })
		num("seed", func(x float64) { c.Seed = uint64(x) })
	}
	res, err := engine.Plan(c)
	if err != nil {
		return result(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		return result(fmt.Errorf("plan: %v", err))
	}
	out := js.Global().Get("JSON").Call("parse", string(b))
	out.Set("ok", true)
	return out
}
