package wire

import (
	"encoding/binary"
	"errors"
)

// Marshaler is what gogo-generated messages offer.
type Marshaler interface {
	Size() int
	MarshalTo([]byte) (int, error)
}

// AppendDelimited appends m with a varint length prefix, as Alertmanager's
// pbutil.WriteDelimited: the form of every entry in a state's gossip and
// push-pull.
func AppendDelimited(b []byte, m Marshaler) ([]byte, error) {
	n := m.Size()
	b = binary.AppendUvarint(b, uint64(n))
	start := len(b)
	b = append(b, make([]byte, n)...)
	if _, err := m.MarshalTo(b[start:]); err != nil {
		return nil, err
	}
	return b, nil
}

// MarshalAll is a store's full state as Alertmanager's MarshalBinary
// writes it: every entry, length-delimited, in no particular order.
func MarshalAll[M Marshaler](st map[string]M) ([]byte, error) {
	var b []byte
	var err error
	for _, e := range st {
		if b, err = AppendDelimited(b, e); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// ReadDelimited calls f for each varint-length-delimited message in b.
func ReadDelimited(b []byte, f func([]byte) error) error {
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return errors.New("truncated or invalid length-delimited message")
		}
		if err := f(b[k : k+int(n)]); err != nil {
			return err
		}
		b = b[k+int(n):]
	}
	return nil
}

// Oversized is Alertmanager's cluster.OversizedMessage: a Part over half
// the gossip packet budget is sent to every member over TCP, and receivers
// do not gossip it on.
func Oversized(b []byte) bool { return len(b) > MaxGossipPacket/2 }
