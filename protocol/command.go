package protocol

import (
	"fmt"
	"math"
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
