package protocol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxLineBytes bounds one JSON Lines record. Longer lines are reported and
// skipped rather than buffered without limit.
const MaxLineBytes = 1 << 20

// Encoder writes events as JSON Lines.
type Encoder struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

// NewEncoder returns an encoder writing to w. Call Flush when done.
func NewEncoder(w io.Writer) *Encoder {
	e := &Encoder{w: bufio.NewWriterSize(w, 64<<10)}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// Encode writes one event and its newline.
func (e *Encoder) Encode(ev *Event) error {
	e.buf.Reset()
	if err := e.enc.Encode(ev); err != nil { // Encode appends the '\n'
		return err
	}
	_, err := e.w.Write(e.buf.Bytes())
	return err
}

// Flush writes buffered events to the underlying writer.
func (e *Encoder) Flush() error { return e.w.Flush() }

// Marshal returns one event as a JSON line without its newline.
func Marshal(ev *Event) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// LineError is a record the decoder could not use. Decoding may go on after
// it: the stream is not lost because one line is bad.
type LineError struct {
	Line int // 1-based line number
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// utf8BOM is the byte-order mark some editors put at the start of a file.
var utf8BOM = []byte("\xEF\xBB\xBF")

// ErrTruncated says the last line of a stream had no newline and did not
// parse: the file was cut short.
var ErrTruncated = errors.New("truncated record at end of stream")

// Decoder reads JSON Lines events. It never panics on any input: unknown
// fields are ignored, unknown event types are skipped and counted in
// Unknown, and a malformed line comes back as a *LineError after which Next
// may be called again.
type Decoder struct {
	r       *bufio.Reader
	line    int
	Unknown int // records of an event type this version does not know
	Bad     int // records returned as *LineError
}

// NewDecoder returns a decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: bufio.NewReaderSize(r, 64<<10)}
}

// Line returns the number of the last line read.
func (d *Decoder) Line() int { return d.line }

// Next returns the next valid event, io.EOF at the end of the stream, a
// *LineError for a record it could not use, or another error from the
// underlying reader.
func (d *Decoder) Next() (Event, error) {
	for {
		raw, complete, err := d.readLine()
		if err != nil && len(raw) == 0 {
			return Event{}, err
		}
		d.line++
		if d.line == 1 { // editors on Windows start files with a BOM
			raw = bytes.TrimPrefix(raw, utf8BOM)
		}
		if len(raw) > MaxLineBytes {
			d.Bad++
			return Event{}, &LineError{d.line, fmt.Errorf("record longer than %d bytes", MaxLineBytes)}
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var ev Event
		if jerr := json.Unmarshal(raw, &ev); jerr != nil {
			d.Bad++
			if !complete {
				return Event{}, &LineError{d.line, ErrTruncated}
			}
			return Event{}, &LineError{d.line, jsonError(jerr)}
		}
		if ev.Type == "" {
			d.Bad++
			return Event{}, &LineError{d.line, errors.New(`missing "type"`)}
		}
		if !ev.Type.Known() {
			d.Unknown++
			continue
		}
		if verr := ev.Validate(); verr != nil {
			d.Bad++
			return Event{}, &LineError{d.line, verr}
		}
		return ev, nil
	}
}

// readLine returns one line without its newline. complete is false when the
// stream ended before a newline. Lines over MaxLineBytes are consumed but
// only their first MaxLineBytes+1 bytes are kept.
func (d *Decoder) readLine() (line []byte, complete bool, err error) {
	var out []byte
	for {
		chunk, err := d.r.ReadSlice('\n')
		if len(out) <= MaxLineBytes {
			room := MaxLineBytes + 1 - len(out)
			if len(chunk) > room {
				out = append(out, chunk[:room]...)
			} else {
				out = append(out, chunk...)
			}
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(out, []byte{'\n'}), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return out, false, err
		}
	}
}

// jsonError turns encoding/json's errors into a short reason for people.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q: expected %s, got %s", typ.Field, typ.Type, typ.Value)
	}
	return err
}

// ReadAll decodes a whole stream. It keeps every valid event and returns,
// with them, the problems met (at most maxErrs of them, the rest counted in
// the decoder's Bad). A stream without a header first is reported as a
// problem but still returned.
func ReadAll(r io.Reader, maxErrs int) (events []Event, problems []error, d *Decoder) {
	d = NewDecoder(r)
	for {
		ev, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) { // the reader failed: nothing more to read
				problems = append(problems, err)
				break
			}
			if len(problems) < maxErrs {
				problems = append(problems, err)
			}
			continue
		}
		if len(events) == 0 && ev.Type != TypeHeader && len(problems) < maxErrs {
			problems = append(problems, fmt.Errorf("line %d: stream does not start with a header", d.line))
		}
		events = append(events, ev)
	}
	return events, problems, d
}
