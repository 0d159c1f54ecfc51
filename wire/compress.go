package wire

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
var compressHeader = []byte{MsgCompress, 0x82, 0xa4, 'A', 'l', 'g', 'o', 0x00, 0xa3, 'B', 'u', 'f'}

var lzwReaders sync.Pool // *lzw.Reader

// lzwEncoder is a reusable LZW writer with the buffer it writes to. The
// buffer is an io.ByteWriter with Flush, so lzw.Writer writes to it
// directly instead of making a 4 KB bufio.Writer on every Reset.
type lzwEncoder struct {
	w *lzw.Writer
	b []byte
}

func (e *lzwEncoder) WriteByte(c byte) error { e.b = append(e.b, c); return nil }
func (e *lzwEncoder) Flush() error           { return nil }
func (e *lzwEncoder) Write(p []byte) (int, error) {
	e.b = append(e.b, p...)
	return len(p), nil
}

var lzwEncoders = sync.Pool{New: func() any {
	e := &lzwEncoder{}
	e.w = lzw.NewWriter(e, lzw.LSB, 8).(*lzw.Writer)
	return e
}}

// AppendCompressed appends plain as memberlist's compress message. The
// LZW bytes go straight after room for a str16 length, the usual case;
// the header is fixed up when it turns out shorter or longer.
func AppendCompressed(dst, plain []byte) []byte {
	dst = append(dst, compressHeader...)
	lenAt := len(dst)
	e := lzwEncoders.Get().(*lzwEncoder)
	e.b = append(dst, 0xda, 0, 0)
	e.w.Reset(e, lzw.LSB, 8)
	_, _ = e.w.Write(plain) // the buffer does not fail
	_ = e.w.Close()
	dst, e.b = e.b, nil
	lzwEncoders.Put(e)
	n := len(dst) - lenAt - 3
	switch {
	case n < 32:
		dst[lenAt] = 0xa0 | byte(n)
		copy(dst[lenAt+1:], dst[lenAt+3:])
		dst = dst[:len(dst)-2]
	case n < 1<<16:
		binary.BigEndian.PutUint16(dst[lenAt+1:], uint16(n))
	default:
		dst = append(dst, 0, 0)
		copy(dst[lenAt+5:], dst[lenAt+3:len(dst)-2])
		dst[lenAt] = 0xdb
		binary.BigEndian.PutUint32(dst[lenAt+1:], uint32(n))
	}
	return dst
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
