package live

import (
	"fmt"
	"strings"
	"time"

	"github.com/gossipscope/gossipscope/protocol"
)

// maxReplyError bounds a reply's error text, which may quote the command.
const maxReplyError = 512

// reply queues the answer to a command on s, after everything the command
// emitted while it ran. An id over protocol.MaxIDBytes is not echoed (the
// command was refused for it), and the error text is cut short: a reply
// is never much bigger than a fixed size, whatever the command.
func (h *Hub) reply(s *sink, id string, err error) {
	if len(id) > protocol.MaxIDBytes {
		id = ""
	}
	ev := protocol.Event{Type: protocol.TypeReply, ID: id}
	if err != nil {
		ev.Error = truncate(err.Error(), maxReplyError)
		h.commandErrors.Add(1)
	}
	h.smu.Lock()
	h.flushLocked()
	ev.T = h.now()
	s.q.pushAlways(encodeOne(ev))
	h.smu.Unlock()
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// command parses, validates and carries out one command from s.
func (h *Hub) command(s *sink, raw []byte) {
	h.commands.Add(1)
	c, err := protocol.DecodeCommand(raw)
	if err != nil {
		h.reply(s, c.ID, err)
		return
	}
	if err := c.Validate(); err != nil {
		h.reply(s, c.ID, err)
		return
	}
	s.active.Store(time.Now().UnixNano())
	if !s.bucket.allow(time.Now(), h.cfg.CommandRate) {
		h.reply(s, c.ID, fmt.Errorf("%s: too many commands; at most %g a second from one address", c.Cmd, h.cfg.CommandRate))
		return
	}
	h.smu.Lock()
	src := h.src
	h.smu.Unlock()
	h.reply(s, c.ID, h.run(src, c))
}

// run calls the source, turning a panic into an error: a bad command must
// not take the server down.
func (h *Hub) run(src Source, c protocol.Command) (err error) {
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("live: command panicked", "cmd", c.Cmd, "panic", p)
			err = fmt.Errorf("%s: internal error", c.Cmd)
		}
	}()
	return src.Command(c)
}
