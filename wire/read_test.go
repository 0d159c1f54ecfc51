package wire

import (
	"bytes"
	"math"
	"testing"
)

// Every msgpack header mpReader.next knows, at every width, read as the
// msgpack spec says: family, length or value, and exactly the header's
// bytes (plus an ext's payload) consumed.
func TestMsgpackHeaders(t *testing.T) {
	neg := func(v int64) uint64 { return uint64(v) }
	for _, c := range []struct {
		in   []byte
		kind mpKind
		v    uint64
	}{
		{[]byte{0x05}, mpUint, 5},
		{[]byte{0xe0}, mpInt, neg(-32)},
		{[]byte{0x83}, mpMap, 3},
		{[]byte{0x92}, mpArray, 2},
		{[]byte{0xa3}, mpStr, 3},
		{[]byte{0xc0}, mpOther, 0},
		{[]byte{0xc3}, mpOther, 0},
		{[]byte{0xc4, 0x02}, mpStr, 2},
		{[]byte{0xc5, 0x01, 0x00}, mpStr, 256},
		{[]byte{0xc6, 0x00, 0x01, 0x00, 0x00}, mpStr, 65536},
		{[]byte{0xd9, 0x07}, mpStr, 7},
		{[]byte{0xda, 0x00, 0x09}, mpStr, 9},
		{[]byte{0xdb, 0x00, 0x00, 0x00, 0x0a}, mpStr, 10},
		{[]byte{0xca, 1, 2, 3, 4}, mpOther, 0},
		{[]byte{0xcb, 1, 2, 3, 4, 5, 6, 7, 8}, mpOther, 0},
		{[]byte{0xcc, 0xff}, mpUint, 255},
		{[]byte{0xcd, 0x12, 0x34}, mpUint, 0x1234},
		{[]byte{0xce, 0x12, 0x34, 0x56, 0x78}, mpUint, 0x12345678},
		{[]byte{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, mpUint, math.MaxUint64},
		{[]byte{0xd0, 0xff}, mpInt, neg(-1)},
		{[]byte{0xd0, 0x7f}, mpInt, 127},
		{[]byte{0xd1, 0xff, 0xfe}, mpInt, neg(-2)},
		{[]byte{0xd1, 0x7f, 0xff}, mpInt, 32767},
		{[]byte{0xd2, 0x80, 0x00, 0x00, 0x00}, mpInt, neg(math.MinInt32)},
		{[]byte{0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}, mpInt, neg(math.MinInt64)},
		{[]byte{0xdc, 0x00, 0x03}, mpArray, 3},
		{[]byte{0xdd, 0x00, 0x00, 0x01, 0x00}, mpArray, 256},
		{[]byte{0xde, 0x00, 0x05}, mpMap, 5},
		{[]byte{0xdf, 0x00, 0x01, 0x00, 0x00}, mpMap, 65536},
		{[]byte{0xd4, 0x01, 0xaa}, mpOther, 0},
		{append([]byte{0xd8, 0x01}, make([]byte, 16)...), mpOther, 0},
		{[]byte{0xc7, 0x02, 0x01, 0xaa, 0xbb}, mpOther, 0},
		{[]byte{0xc8, 0x00, 0x01, 0x01, 0xaa}, mpOther, 0},
	} {
		r := mpReader{b: append(bytes.Clone(c.in), 0x99)}
		k, v := r.next()
		if r.bad || k != c.kind || v != c.v || !bytes.Equal(r.b, []byte{0x99}) {
			t.Errorf("% x: kind %d value %#x rest % x bad %v; want kind %d value %#x rest 99", c.in, k, v, r.b, r.bad, c.kind, c.v)
		}
	}
	for _, in := range [][]byte{{}, {0xc1}, {0xcd, 0x12}, {0xdb, 0, 0}, {0xd3, 1, 2, 3}, {0xd5, 0x01}, {0xc9, 0, 0, 0, 9, 1}} {
		r := mpReader{b: in}
		if _, v := r.next(); !r.bad || v != 0 {
			t.Errorf("% x: value %d bad %v; want bad", in, v, r.bad)
		}
	}
}
