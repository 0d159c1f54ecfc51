package wire

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// Readers for just the fields the transport describes, straight from the
// wire bytes: decoding whole messages (gogo's Unmarshal, go-msgpack's
// reflection) allocated every entry of every user message sent in a lab.
// They never panic on bad input; they report !ok instead.

// pbField reads one protobuf field from b: its number, wire type, and
// value (varint in v, length-delimited bytes in data).
func pbField(b []byte) (num int, typ int, v uint64, data, rest []byte, ok bool) {
	tag, k := binary.Uvarint(b)
	if k <= 0 || tag>>3 == 0 || tag>>3 > math.MaxInt32 {
		return 0, 0, 0, nil, nil, false
	}
	b = b[k:]
	num, typ = int(tag>>3), int(tag&7)
	switch typ {
	case 0: // varint
		v, k = binary.Uvarint(b)
		if k <= 0 {
			return 0, 0, 0, nil, nil, false
		}
		return num, typ, v, nil, b[k:], true
	case 1: // fixed64
		if len(b) < 8 {
			return 0, 0, 0, nil, nil, false
		}
		return num, typ, binary.LittleEndian.Uint64(b), nil, b[8:], true
	case 2: // length-delimited
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return 0, 0, 0, nil, nil, false
		}
		return num, typ, 0, b[k : k+int(n)], b[k+int(n):], true
	case 5: // fixed32
		if len(b) < 4 {
			return 0, 0, 0, nil, nil, false
		}
		return num, typ, uint64(binary.LittleEndian.Uint32(b)), nil, b[4:], true
	}
	return 0, 0, 0, nil, nil, false
}

// pbBytes returns the length-delimited field num of message b (the last
// one, as protobuf merges), or nil.
func pbBytes(b []byte, num int) ([]byte, bool) {
	var out []byte
	found := false
	for len(b) > 0 {
		n, typ, _, data, rest, ok := pbField(b)
		if !ok {
			return nil, false
		}
		if n == num && typ == 2 {
			out, found = data, true
		}
		b = rest
	}
	return out, found
}

// pbTimestamp reads a google.protobuf.Timestamp.
func pbTimestamp(b []byte) (time.Time, bool) {
	var sec, nsec int64
	for len(b) > 0 {
		n, typ, v, _, rest, ok := pbField(b)
		if !ok {
			return time.Time{}, false
		}
		if typ == 0 {
			switch n {
			case 1:
				sec = int64(v)
			case 2:
				nsec = int64(int32(v))
			}
		}
		b = rest
	}
	return time.Unix(sec, nsec), true
}

// firstDelimited returns the first varint-length-delimited message in b.
func firstDelimited(b []byte) ([]byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, false
	}
	return b[k : k+int(n)], true
}

// countDelimited counts the varint-length-delimited messages in b.
func countDelimited(b []byte) (int, bool) {
	c := 0
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return c, false
		}
		b = b[k+int(n):]
		c++
	}
	return c, true
}

// DescribeSilence reads a MeshSilence's silence: id, UpdatedAt and
// comment (or, from old peers, the first comment's text).
func DescribeSilence(mesh []byte) (id []byte, updated time.Time, comment []byte, ok bool) {
	sil, ok := pbBytes(mesh, 1)
	if !ok {
		return nil, time.Time{}, nil, false
	}
	var oldComment []byte
	haveOld := false
	for b := sil; len(b) > 0; {
		n, typ, _, data, rest, ok := pbField(b)
		if !ok {
			return nil, time.Time{}, nil, false
		}
		if typ == 2 {
			switch n {
			case 1:
				id = data
			case 5:
				if updated, ok = pbTimestamp(data); !ok {
					return nil, time.Time{}, nil, false
				}
			case 7:
				if !haveOld {
					oldComment, _ = pbBytes(data, 2)
					haveOld = true
				}
			case 9:
				comment = data
			}
		}
		b = rest
	}
	if len(comment) == 0 {
		comment = oldComment
	}
	return id, updated, comment, true
}

// describeEntry reads the first MeshEntry's entry: its key as entryKey
// makes it ("nfl/<group key>:<group name>/<integration>/<idx>", after
// nflog.go's stateKey) and Timestamp in unix ms.
func describeEntry(mesh []byte) (key string, version int64, ok bool) {
	ent, ok := pbBytes(mesh, 1)
	if !ok {
		return "", 0, false
	}
	var gkey, recv []byte
	haveRecv := false
	for b := ent; len(b) > 0; {
		n, typ, _, data, rest, ok := pbField(b)
		if !ok {
			return "", 0, false
		}
		if typ == 2 {
			switch n {
			case 1:
				gkey = data
			case 2:
				recv, haveRecv = data, true
			case 5:
				ts, ok := pbTimestamp(data)
				if !ok {
					return "", 0, false
				}
				version = ts.UnixMilli()
			}
		}
		b = rest
	}
	if !haveRecv {
		return "nfl/" + string(gkey), version, true
	}
	var group, integration []byte
	var idx uint64
	for b := recv; len(b) > 0; {
		n, typ, v, data, rest, ok := pbField(b)
		if !ok {
			return "", 0, false
		}
		switch {
		case n == 1 && typ == 2:
			group = data
		case n == 2 && typ == 2:
			integration = data
		case n == 3 && typ == 0:
			idx = uint64(uint32(v))
		}
		b = rest
	}
	k := make([]byte, 0, 4+len(gkey)+len(group)+len(integration)+14)
	k = append(append(append(append(k, "nfl/"...), gkey...), ':'), group...)
	k = append(append(append(k, '/'), integration...), '/')
	k = strconv.AppendUint(k, idx, 10)
	return string(k), version, true
}

// mpReader reads msgpack as go-msgpack writes memberlist's messages. Any
// malformed or truncated input sets bad and yields zero values.
type mpReader struct {
	b   []byte
	bad bool
}

func (r *mpReader) byte1() byte {
	if len(r.b) < 1 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *mpReader) take(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *mpReader) be(n int) uint64 {
	b := r.take(uint64(n))
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// next reads one value's header: its family and, for strings, binaries,
// arrays, maps and integers, the length or value.
type mpKind int

const (
	mpOther mpKind = iota
	mpUint
	mpInt
	mpStr // str or bin
	mpArray
	mpMap
)

func (r *mpReader) next() (mpKind, uint64) {
	c := r.byte1()
	switch {
	case r.bad:
		return mpOther, 0
	case c <= 0x7f:
		return mpUint, uint64(c)
	case c >= 0xe0:
		return mpInt, uint64(int64(int8(c)))
	case c&0xf0 == 0x80:
		return mpMap, uint64(c & 0x0f)
	case c&0xf0 == 0x90:
		return mpArray, uint64(c & 0x0f)
	case c&0xe0 == 0xa0:
		return mpStr, uint64(c & 0x1f)
	}
	switch c {
	case 0xc0, 0xc2, 0xc3: // nil, false, true
		return mpOther, 0
	case 0xc4, 0xc5, 0xc6: // bin 8, 16, 32
		return mpStr, r.be(1 << (c - 0xc4))
	case 0xd9, 0xda, 0xdb: // str 8, 16, 32
		return mpStr, r.be(1 << (c - 0xd9))
	case 0xca, 0xcb: // float 32, 64
		r.take(4 << (c - 0xca))
		return mpOther, 0
	case 0xcc, 0xcd, 0xce, 0xcf: // uint 8, 16, 32, 64
		return mpUint, r.be(1 << (c - 0xcc))
	case 0xd0, 0xd1, 0xd2, 0xd3: // int 8, 16, 32, 64: sign-extended
		unused := 64 - 8<<(c-0xd0)
		return mpInt, uint64(int64(r.be(1<<(c-0xd0))<<unused) >> unused)
	case 0xdc, 0xdd: // array 16, 32
		return mpArray, r.be(2 << (c - 0xdc))
	case 0xde, 0xdf: // map 16, 32
		return mpMap, r.be(2 << (c - 0xde))
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16
		r.take(1 + uint64(1)<<(c-0xd4))
		return mpOther, 0
	case 0xc7, 0xc8, 0xc9: // ext 8, 16, 32
		n := r.be(1 << (c - 0xc7))
		r.take(1 + n)
		return mpOther, 0
	}
	r.bad = true
	return mpOther, 0
}

// skip skips one value, nesting at most depth containers deep.
func (r *mpReader) skip(depth int) {
	k, n := r.next()
	switch k {
	case mpStr:
		r.take(n)
	case mpArray, mpMap:
		if depth <= 0 || n > uint64(len(r.b)) { // each element takes a byte at least
			r.bad = true
			return
		}
		if k == mpMap {
			n *= 2
		}
		for i := uint64(0); i < n && !r.bad; i++ {
			r.skip(depth - 1)
		}
	}
}

// fields walks a msgpack map of a struct, calling f with each key; f
// reads the value or returns false to have it skipped.
func (r *mpReader) fields(f func(key []byte) bool) {
	k, n := r.next()
	if k != mpMap {
		r.bad = true
		return
	}
	for i := uint64(0); i < n && !r.bad; i++ {
		kk, kn := r.next()
		if kk != mpStr {
			r.bad = true
			return
		}
		if key := r.take(kn); !r.bad && !f(key) {
			r.skip(8)
		}
	}
}

func (r *mpReader) str() []byte {
	k, n := r.next()
	if k != mpStr {
		r.bad = true
		return nil
	}
	return r.take(n)
}

func (r *mpReader) uint() uint64 {
	k, v := r.next()
	if k != mpUint && k != mpInt {
		r.bad = true
		return 0
	}
	return v
}

func (r *mpReader) bool() bool {
	switch r.byte1() {
	case 0xc3:
		return true
	case 0xc2:
		return false
	}
	r.bad = true
	return false
}

// describeNodeMsg reads an alive, suspect or dead message: Incarnation,
// Node and From (they all start with Incarnation and Node).
func describeNodeMsg(body []byte) (node, from []byte, inc uint32, ok bool) {
	r := mpReader{b: body}
	r.fields(func(key []byte) bool {
		switch string(key) {
		case "Incarnation":
			inc = uint32(r.uint())
		case "Node":
			node = r.str()
		case "From":
			from = r.str()
		default:
			return false
		}
		return true
	})
	return node, from, inc, !r.bad
}
