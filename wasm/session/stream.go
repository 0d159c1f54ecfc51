package session

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gossipscope/gossipscope/protocol"
	"github.com/gossipscope/gossipscope/scene"
)

// MaxProblems is how many bad lines a load reports by line number.
const MaxProblems = 5

// LoadResult says what a recording held.
type LoadResult struct {
	Events  int    // events kept
	Skipped int    // lines skipped: malformed, invalid or of an unknown type
	Warning string // the first problems, for people; "" if none
}

// LoadRecording plays a JSON Lines recording. A recording with no usable
// event is refused with a clear error and the current stream keeps
// playing; one with some bad lines plays what is good and says what was
// skipped.
func (s *Session) LoadRecording(text string) (LoadResult, error) {
	evs, problems, d := protocol.ReadAll(strings.NewReader(text), MaxProblems)
	res := LoadResult{Events: len(evs), Skipped: d.Bad + d.Unknown}
	res.Warning = describe(problems, d.Bad)
	if len(evs) == 0 {
		msg := "the recording has no events"
		if res.Warning != "" {
			msg = "the recording could not be read: " + res.Warning
		}
		return res, s.fail(errors.New(msg))
	}
	s.source, s.sim = SourceReplay, nil
	s.Player.Reset()
	s.Composer.Selected = -1
	s.Playback.Live, s.Playback.Playing = false, false
	for i := range evs {
		if err := s.Player.Append(&evs[i]); err != nil && errors.Is(err, scene.ErrFull) {
			res.Warning = joinWarn(res.Warning, s.Player.Err())
			break
		}
	}
	s.Player.SetDone(true)
	s.seek(0)
	s.lastErr = res.Warning
	return res, nil
}

func describe(problems []error, bad int) string {
	if len(problems) == 0 {
		return ""
	}
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.Error()
	}
	out := strings.Join(parts, "; ")
	if more := bad - len(problems); more > 0 {
		out += fmt.Sprintf("; and %d more bad lines", more)
	}
	return out
}

func joinWarn(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Live switches live mode on (an empty stream that feed fills, the
// playhead following wall time, faults sent as commands) or off (back to
// the simulated scenario).
func (s *Session) Live(on bool) {
	if !on {
		if s.source == SourceLive {
			if err := s.startSim(s.cfg); err != nil {
				s.fail(err)
			}
		}
		return
	}
	s.source, s.sim = SourceLive, nil
	s.Player.Reset()
	s.Composer.Selected = -1
	s.Playback.Live, s.Playback.Playing = true, true
	s.Playback.Seek(0)
	s.Player.Seek(0)
}

// Feed appends JSON Lines events to the live stream. Bad lines are
// skipped and reported; the good ones are kept. A chunk need not start
// with a header: the stream's first chunk has it.
func (s *Session) Feed(text string) error {
	if s.source != SourceLive {
		return s.fail(errors.New("feed: not in live mode (call live(true) first)"))
	}
	d := protocol.NewDecoder(strings.NewReader(text))
	var problems []error
	for {
		ev, err := d.Next()
		if err == io.EOF {
			break
		}
		var le *protocol.LineError
		if errors.As(err, &le) {
			if len(problems) < MaxProblems {
				problems = append(problems, err)
			}
			continue
		}
		if err != nil {
			problems = append(problems, err)
			break
		}
		if ev.Type == protocol.TypeReply && ev.Error != "" {
			s.lastErr = "command " + ev.ID + ": " + ev.Error
		}
		if err := s.Player.Append(&ev); errors.Is(err, scene.ErrFull) {
			return s.fail(errors.New(s.Player.Err()))
		}
	}
	if w := describe(problems, d.Bad); w != "" {
		return s.fail(errors.New(w))
	}
	return nil
}
