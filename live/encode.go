package live

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gossipscope/gossipscope/protocol"
)

// encoder turns events into JSON Lines batches. It is not safe for
// concurrent use; the hub uses one under its sink lock.
type encoder struct {
	buf  bytes.Buffer
	enc  *json.Encoder
	max  int // cut a batch once it reaches this many bytes
	errs uint64
}

func newEncoder(max int) *encoder {
	e := &encoder{max: max}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// encode appends evs to out as batches of at most about max bytes. An event
// that cannot be encoded (a NaN in its params, say) is skipped and counted:
// one bad event must not cost the rest.
func (e *encoder) encode(evs []protocol.Event, out []batch) []batch {
	out, _ = e.encodeWithin(evs, 0, out)
	return out
}

// encodeWithin encodes as encode does, but once budget bytes (> 0) are
// spent it leaves out the state events that follow, and says how many.
// The other events of a snapshot still go: the tracker bounds them.
func (e *encoder) encodeWithin(evs []protocol.Event, budget int, out []batch) ([]batch, int) {
	e.buf.Reset()
	first, n, spent, left := 0.0, 0, 0, 0
	cut := func() {
		if n == 0 {
			return
		}
		out = append(out, batch{data: bytes.Clone(e.buf.Bytes()), events: n, t: first})
		spent += e.buf.Len()
		e.buf.Reset()
		n = 0
	}
	for i := range evs {
		if budget > 0 && evs[i].Type == protocol.TypeState && spent+e.buf.Len() >= budget {
			left++
			continue
		}
		mark := e.buf.Len()
		if err := e.enc.Encode(&evs[i]); err != nil {
			e.buf.Truncate(mark)
			e.errs++
			continue
		}
		if n == 0 {
			first = evs[i].T
		}
		n++
		if e.buf.Len() >= e.max {
			cut()
		}
	}
	cut()
	return out, left
}

// encodeOne encodes a single event the hub itself makes (notes, replies),
// which always encodes.
func encodeOne(ev protocol.Event) batch {
	b, err := protocol.Marshal(&ev)
	if err != nil {
		b, _ = protocol.Marshal(&protocol.Event{Type: protocol.TypeNote, T: ev.T, Text: "unencodable event: " + err.Error()})
	}
	return batch{data: append(b, '\n'), events: 1, t: ev.T}
}

func noteBatch(ev protocol.Event) batch { return encodeOne(ev) }

// dropNote tells a sink how many events it missed.
func dropNote(n int, t float64) protocol.Event {
	return protocol.Event{
		Type:   protocol.TypeNote,
		T:      t,
		Text:   fmt.Sprintf("dropped %d events: this client reads too slowly", n),
		Params: map[string]any{"dropped": n},
	}
}
