package memlab

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/silence"
)

// Commands memlab takes besides protocol's (crash, restart, partition,
// heal, loss, silence).
const (
	CmdSlow  = "slow"  // Node answers late by DelayMs (0: normal again)
	CmdLeave = "leave" // Node leaves gracefully: memberlist's Leave, then stops
)

// MaxDelayMs bounds a slow node's extra delay.
const MaxDelayMs = 10_000

// Command is a protocol.Command plus memlab's own fields.
type Command struct {
	protocol.Command
	// DelayMs: for slow, how late everything to and from Node is.
	DelayMs float64 `json:"delayMs,omitempty"`
}

// ParseCommand reads a command as the page sends it (JSON).
func ParseCommand(data []byte) (Command, error) {
	var c Command
	if len(data) > protocol.MaxCommandBytes {
		return c, fmt.Errorf("command of %d bytes; at most %d", len(data), protocol.MaxCommandBytes)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("bad command: %v", err)
	}
	return c, nil
}

// Do carries out c and returns its reply event, which it also emits. It
// may take a while (a leave waits for its broadcast, a restart for its
// join): the page calls it off its event loop.
func (l *Lab) Do(c Command) protocol.Event {
	text, err := l.do(c)
	r := protocol.Event{Type: protocol.TypeReply, T: l.now(), ID: c.ID, Text: text}
	if err != nil {
		r.Error = err.Error()
	}
	l.emit([]protocol.Event{r})
	return r
}

func (l *Lab) do(c Command) (string, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return "", fmt.Errorf("the cluster is stopped")
	}
	switch c.Cmd {
	case CmdSlow:
		return l.slow(c.Node, c.DelayMs)
	case CmdLeave:
		return l.leave(c.Node)
	}
	if err := c.Validate(); err != nil {
		return "", err
	}
	switch c.Cmd {
	case protocol.CmdCrash:
		return l.crash(c.Node)
	case protocol.CmdRestart:
		return l.restart(c.Node)
	case protocol.CmdPartition:
		for _, g := range c.Groups {
			for _, n := range g {
				if !l.known(n) {
					return "", fmt.Errorf("partition: no node %q", n)
				}
			}
		}
		return "", l.net.Partition(c.Groups)
	case protocol.CmdHeal:
		l.net.Heal()
		return "", nil
	case protocol.CmdLoss:
		return "", l.net.SetLoss(c.Loss)
	case protocol.CmdSilence:
		return l.silence(c.Node, c.Text)
	case protocol.CmdAlert:
		return l.alert(c.Node, c.Text)
	}
	return "", fmt.Errorf("unknown cmd %q", c.Cmd)
}

func (l *Lab) known(name string) bool {
	for _, n := range l.names {
		if n == name {
			return true
		}
	}
	return false
}

// take removes a running node from the lab and returns it.
func (l *Lab) take(name string) (stop func() error, leave func(time.Duration) error, err error) {
	if !l.known(name) {
		return nil, nil, fmt.Errorf("no node %q", name)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	m, ok := l.peers[name]
	if !ok {
		return nil, nil, fmt.Errorf("%s is not running", name)
	}
	if len(l.peers) == 1 {
		return nil, nil, fmt.Errorf("%s is the last node running", name)
	}
	delete(l.peers, name)
	// A stopped process notifies no more: its pipeline ends with it.
	stop = func() error { m.disp.Stop(); return m.p.Shutdown() }
	return stop, m.p.Leave, nil
}

// crash stops a node without a word, as a killed process.
func (l *Lab) crash(name string) (string, error) {
	stop, _, err := l.take(name)
	if err != nil {
		return "", err
	}
	l.watch.crashed(name, l.now())
	return "", stop()
}

// leave has a node tell the others it goes, then stops it.
func (l *Lab) leave(name string) (string, error) {
	stop, leave, err := l.take(name)
	if err != nil {
		return "", err
	}
	l.watch.leaving(name)
	lerr := leave(10 * l.peerConfig().GossipInterval)
	if err := stop(); err != nil {
		return "", err
	}
	if lerr != nil {
		return "left without confirmation: " + lerr.Error(), nil
	}
	return "", nil
}

func (l *Lab) restart(name string) (string, error) {
	if !l.known(name) {
		return "", fmt.Errorf("no node %q", name)
	}
	if l.net.Running(name) {
		return "", fmt.Errorf("%s is running", name)
	}
	return "", l.boot(name)
}

func (l *Lab) slow(name string, ms float64) (string, error) {
	if !l.known(name) {
		return "", fmt.Errorf("slow: no node %q", name)
	}
	if math.IsNaN(ms) || ms < 0 || ms > MaxDelayMs {
		return "", fmt.Errorf("slow: delay %v ms; 0 to %d", ms, MaxDelayMs)
	}
	return "", l.net.SetSlow(name, time.Duration(ms*float64(time.Millisecond)))
}

// silence creates a silence on node, which gossips it to the others.
func (l *Lab) silence(node, text string) (string, error) {
	if !l.known(node) {
		return "", fmt.Errorf("silence: no node %q", node)
	}
	l.mu.Lock()
	pr, ok := l.peers[node]
	l.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("silence: %s is not running", node)
	}
	if text == "" {
		text = "created in memberlist mode"
	}
	id, err := pr.sil.Set(silence.ForAlert(text, time.Now().UTC()))
	if err != nil {
		return "", fmt.Errorf("silence: %w", err)
	}
	return "silence " + id, nil
}
