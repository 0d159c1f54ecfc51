package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Command is what the page asks a running source to do: the other
// direction of the stream. Over the websocket it travels as one JSON object;
// the source answers with a TypeReply event carrying the same ID.
type Command struct {
	ID  string `json:"id,omitempty"`
	Cmd string `json:"cmd"`
	// Node is the target of silence, alert, crash and restart ("" = all
	// nodes, for alert only).
	Node string `json:"node,omitempty"`
	// Groups for partition: node names that can talk among themselves only.
	Groups [][]string `json:"groups,omitempty"`
	// Loss for loss: packet loss probability in [0, 1].
	Loss float64 `json:"loss,omitempty"`
	// Text: the silence's comment or the alert's name.
	Text string `json:"text,omitempty"`
}

// Command names.
const (
	CmdSilence   = "silence"   // create a silence on Node
	CmdAlert     = "alert"     // post an alert to Node, or to every node
	CmdCrash     = "crash"     // stop Node abruptly
	CmdRestart   = "restart"   // start a crashed Node again
	CmdPartition = "partition" // cut the network into Groups
	CmdHeal      = "heal"      // heal every partition
	CmdLoss      = "loss"      // set packet loss
)

// MaxCommandBytes bounds one command on the wire; servers reject larger ones.
const MaxCommandBytes = 64 << 10

// MaxIDBytes bounds a command's ID: a reply echoes it, so a long one would
// let a client make the server write far more than it reads.
const MaxIDBytes = 128

// Validate checks the command's shape; whether Node exists is the source's
// business.
func (c *Command) Validate() error {
	if len(c.ID) > MaxIDBytes {
		return fmt.Errorf("id longer than %d bytes", MaxIDBytes)
	}
	switch c.Cmd {
	case CmdSilence, CmdCrash, CmdRestart:
		if c.Node == "" {
			return fmt.Errorf("%s: missing node", c.Cmd)
		}
	case CmdAlert, CmdHeal:
	case CmdPartition:
		if len(c.Groups) < 2 {
			return fmt.Errorf("partition: needs at least two groups")
		}
		seen := map[string]bool{}
		for _, g := range c.Groups {
			if len(g) == 0 {
				return fmt.Errorf("partition: empty group")
			}
			for _, n := range g {
				if seen[n] {
					return fmt.Errorf("partition: node %q in two groups", n)
				}
				seen[n] = true
			}
		}
	case CmdLoss:
		if math.IsNaN(c.Loss) || c.Loss < 0 || c.Loss > 1 {
			return fmt.Errorf("loss: %v is not in [0, 1]", c.Loss)
		}
	case "":
		return fmt.Errorf("missing cmd")
	default:
		return fmt.Errorf("unknown cmd %q", c.Cmd)
	}
	return nil
}

// DecodeCommand reads one command from its JSON form. It refuses what
// encoding/json would let pass silently: more than MaxCommandBytes, more
// than one JSON value, and a key given twice in one object (json would let
// the last win, so {"cmd":"heal","cmd":"crash"} crashed a node), counting
// keys that differ only in case as the same, as json matches them. The
// command is returned even with an error, for its ID.
func DecodeCommand(raw []byte) (Command, error) {
	var c Command
	if len(raw) > MaxCommandBytes {
		return c, fmt.Errorf("command longer than %d bytes", MaxCommandBytes)
	}
	if !json.Valid(raw) {
		return c, fmt.Errorf("command is not valid JSON")
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("bad command: %v", err)
	}
	if err := noDuplicateKeys(json.NewDecoder(bytes.NewReader(raw))); err != nil {
		return c, fmt.Errorf("bad command: %v", err)
	}
	return c, nil
}

// noDuplicateKeys walks one JSON value and fails on an object with a key
// twice (as encoding/json compares field names: case-folded).
func noDuplicateKeys(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			f := foldKey(key)
			if seen[f] {
				return fmt.Errorf("key %q given twice", key)
			}
			seen[f] = true
			if err := noDuplicateKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := noDuplicateKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

// foldKey maps every rune to the smallest of its case-folding orbit, so
// keys that encoding/json would match case-insensitively ("cmd", "CMD")
// map to one string (it folds a little more than json: never less).
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, s)
}
