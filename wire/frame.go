package wire

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// MaxGossipPacket is Alertmanager's cluster.MaxGossipPacketSize, the UDP
// packet budget its memberlist runs with (UDPBufferSize).
const MaxGossipPacket = 1400

// maxPooledBuf bounds the buffers kept for reuse; larger ones are left to
// the GC.
const maxPooledBuf = 64 << 10

// AppendPacket turns a packet as memberlist hands it to a transport (label,
// CRC, uncompressed payload) into what memberlist sends with compression on
// (net.go rawSendMsgPacket): the payload compressed if that makes it
// smaller, the CRC over what is sent, the label in front. It returns the
// packet, appended to dst, the plain payload, and whether it compressed it.
func AppendPacket(dst, b []byte) (wire, payload []byte, compressed bool) {
	rest := StripLabel(b)
	label := b[:len(b)-len(rest)]
	crc := len(rest) >= 5 && rest[0] == MsgCRC
	payload = rest
	if crc {
		payload = rest[5:]
	}
	if len(payload) == 0 || payload[0] == MsgCompress || payload[0] == MsgEncrypt {
		return append(dst, b...), payload, false // nothing to do (or that we can do)
	}
	dst = append(dst, label...)
	head := len(dst)
	if crc {
		dst = append(dst, MsgCRC, 0, 0, 0, 0)
	}
	body := len(dst)
	dst = AppendCompressed(dst, payload)
	compressed = len(dst)-body < len(payload)
	if !compressed {
		dst = append(dst[:body], payload...)
	}
	if crc {
		binary.BigEndian.PutUint32(dst[head+1:], crc32.ChecksumIEEE(dst[body:]))
	}
	return dst, payload, compressed
}

// ReadPacket returns a received packet in a fresh buffer for memberlist,
// inflated if it is compressed (memberlist would inflate it with a new
// 20 KB LZW reader). The label stays, for memberlist to check; a CRC is
// checked and dropped (it is optional in memberlist's format). Anything
// else, or a bad CRC, is passed on as it came, for memberlist to judge.
func ReadPacket(pkt []byte) []byte {
	rest := StripLabel(pkt)
	label := pkt[:len(pkt)-len(rest)]
	payload := rest
	if len(rest) >= 5 && rest[0] == MsgCRC {
		if crc32.ChecksumIEEE(rest[5:]) != binary.BigEndian.Uint32(rest[1:5]) {
			return bytes.Clone(pkt)
		}
		payload = rest[5:]
	}
	if len(payload) == 0 || payload[0] != MsgCompress {
		return bytes.Clone(pkt)
	}
	sp := inflateBufs.Get().(*[]byte)
	defer inflateBufs.Put(sp)
	plain, err := appendInflated((*sp)[:0], payload[1:])
	if cap(plain) <= maxPooledBuf {
		*sp = plain[:0]
	}
	if err != nil {
		return bytes.Clone(pkt)
	}
	out := make([]byte, len(label)+len(plain))
	copy(out[copy(out, label):], plain)
	return out
}

// inflateBufs hold received packets while they are inflated, before the
// exact-size copy memberlist gets.
var inflateBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4*MaxGossipPacket); return &b }}

// AppendStreamMsg appends one message memberlist writes on a TCP stream as
// memberlist's rawSendMsgStream sends it with compression on: compressed,
// unless it is the label header or already compressed or encrypted.
func AppendStreamMsg(dst, b []byte) []byte {
	if len(b) > 0 && b[0] != MsgLabel && b[0] != MsgCompress && b[0] != MsgEncrypt {
		return AppendCompressed(dst, b)
	}
	return append(dst, b...)
}
