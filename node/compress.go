package node

import (
	"bytes"
	"compress/lzw"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Compression is done here rather than by memberlist (whose
// EnableCompression the node turns off) so that the transport sees every
// outgoing packet before it is compressed and need not inflate it again to
// describe it, and so that LZW state is reused: memberlist allocates a
// 64 KB LZW writer per packet sent and a 20 KB reader per packet received.
// The bytes on the wire are exactly memberlist's (util.go compressPayload,
// net.go rawSendMsgPacket and rawSendMsgStream), so real Alertmanagers and
// lab nodes read each other as before.

// compressHeader is what memberlist's encode(compressMsg, &compress{Algo:
// lzwAlgo, Buf: ...}) writes before Buf's length: the message type, then a
// msgpack map of two entries, "Algo" = 0 and "Buf" as a raw string
// (go-msgpack's MsgpackHandle without WriteExt).
var compressHeader = []byte{mtCompress, 0x82, 0xa4, 'A', 'l', 'g', 'o', 0x00, 0xa3, 'B', 'u', 'f'}

var (
	lzwWriters sync.Pool // *lzw.Writer
	lzwReaders sync.Pool // *lzw.Reader
	scratch    = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// appendCompressed appends plain as memberlist's compress message.
func appendCompressed(dst, plain []byte) []byte {
	z := scratch.Get().(*bytes.Buffer)
	defer scratch.Put(z)
	z.Reset()
	w, _ := lzwWriters.Get().(*lzw.Writer)
	if w == nil {
		w = lzw.NewWriter(z, lzw.LSB, 8).(*lzw.Writer)
	} else {
		w.Reset(z, lzw.LSB, 8)
	}
	_, _ = w.Write(plain) // a bytes.Buffer does not fail
	_ = w.Close()
	lzwWriters.Put(w)
	dst = append(dst, compressHeader...)
	dst = appendRawLen(dst, z.Len())
	return append(dst, z.Bytes()...)
}

// appendRawLen appends a msgpack raw string header (go-msgpack's legacy
// str: fixstr, str16, str32; no str8).
func appendRawLen(dst []byte, n int) []byte {
	switch {
	case n < 32:
		return append(dst, 0xa0|byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
}

// compressedPayload returns the LZW bytes of a compress message body (what
// follows the type byte). The usual encoding is read directly; any other
// valid msgpack form is decoded in full.
func compressedPayload(body []byte) ([]byte, error) {
	h := compressHeader[1:]
	if len(body) > len(h) && bytes.Equal(body[:len(h)], h) {
		rest := body[len(h):]
		var n, skip int
		switch {
		case rest[0]&0xe0 == 0xa0:
			n, skip = int(rest[0]&0x1f), 1
		case rest[0] == 0xda && len(rest) >= 3:
			n, skip = int(binary.BigEndian.Uint16(rest[1:])), 3
		case rest[0] == 0xdb && len(rest) >= 5:
			n, skip = int(binary.BigEndian.Uint32(rest[1:])), 5
		default:
			skip = -1
		}
		if skip > 0 && len(rest)-skip >= n {
			return rest[skip : skip+n], nil
		}
	}
	var c compressed
	if err := msgpackDecodeBytes(body, &c); err != nil {
		return nil, err
	}
	if c.Algo != 0 {
		return nil, fmt.Errorf("unknown compression %d", c.Algo)
	}
	return c.Buf, nil
}

type compressed struct {
	Algo int
	Buf  []byte
}

var errTooBig = fmt.Errorf("decompressed message over %d bytes", maxDecompressed)

// appendInflated appends the plain bytes of a compress message body (what
// follows the type byte) to dst.
func appendInflated(dst, body []byte) ([]byte, error) {
	z, err := compressedPayload(body)
	if err != nil {
		return dst, err
	}
	zr, _ := lzwReaders.Get().(*lzw.Reader)
	if zr == nil {
		zr = lzw.NewReader(nil, lzw.LSB, 8).(*lzw.Reader)
	}
	br := bytes.NewReader(z)
	zr.Reset(br, lzw.LSB, 8)
	defer lzwReaders.Put(zr)
	start := len(dst)
	if cap(dst)-start < 2*len(z)+64 {
		dst = append(make([]byte, 0, start+2*len(z)+64), dst...)
	}
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := zr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > maxDecompressed {
			return dst[:start], errTooBig
		}
		if errors.Is(err, io.EOF) {
			return dst, nil
		}
		if err != nil {
			return dst[:start], err
		}
	}
}

// inflate returns the plain bytes of a compress message body.
func inflate(body []byte) ([]byte, error) { return appendInflated(nil, body) }
