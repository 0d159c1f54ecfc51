package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// FuzzDecoder feeds arbitrary bytes to the decoder: it must never panic,
// must always make progress to io.EOF, and every event it accepts must be
// valid and survive an encode/decode round trip.
func FuzzDecoder(f *testing.F) {
	var b bytes.Buffer
	enc := NewEncoder(&b)
	for _, ev := range sampleEvents() {
		enc.Encode(&ev)
	}
	enc.Flush()
	f.Add(b.Bytes())
	f.Add([]byte(`{"type":"msg","t":1,"from":"a","to":"b","arrive":0.5}`))
	f.Add([]byte("{\"type\":\"node\"\n\n\r\n{\"type\":\"heal\",\"t\":-1}"))
	f.Add([]byte(`{"type":"partition","t":1,"groups":[[],null]}`))
	f.Add([]byte{0xff, 0xfe, '{', '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("decoder made no progress after %d calls", i)
			}
			ev, err := d.Next()
			if err == io.EOF {
				return
			}
			var le *LineError
			if errors.As(err, &le) {
				continue
			}
			if err != nil {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if verr := ev.Validate(); verr != nil {
				t.Fatalf("decoder accepted an invalid event: %v", verr)
			}
			line, merr := Marshal(&ev)
			if merr != nil {
				t.Fatalf("accepted event does not encode: %v", merr)
			}
			back, rerr := NewDecoder(bytes.NewReader(line)).Next()
			if rerr != nil {
				t.Fatalf("re-decoding %s: %v", line, rerr)
			}
			if back.Type != ev.Type || back.T != ev.T || back.From != ev.From || back.Node != ev.Node {
				t.Fatalf("round trip changed the event: %+v -> %+v", ev, back)
			}
		}
	})
}

// DecodeCommand never panics, and what it accepts re-encodes to a command
// that decodes the same.
func FuzzDecodeCommand(f *testing.F) {
	for _, s := range []string{`{"id":"1","cmd":"heal"}`, `{"cmd":"heal","CMD":"crash"}`, `{"cmd":"partition","groups":[["a"],["b"]]}`, `[1,{"a":1,"a":2}]`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCommand(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeCommand(b); err != nil {
			t.Fatalf("%s re-encoded as %s: %v", data, b, err)
		}
	})
}
