package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gossipscope/gossipscope/live"
)

func init() {
	register("replay", "stream a recorded session (JSON Lines) to the page over /ws at a chosen speed", runReplay)
}

// replayOptions are the replay command's settings.
type replayOptions struct {
	serveOptions
	file    string
	speed   float64
	wait    bool
	maxKeys int
	maxGap  time.Duration
}

// replayBacklog is how many events a replay lets wait for the hub's next
// flush before it pauses: enough for 300,000 events a second at 25 ms
// flushes, and a few MB at most, however fast the file says to play.
const replayBacklog = 8192

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("replay", stdout, stderr)
	var o replayOptions
	addWebFlags(fs.FlagSet, &o.serveOptions)
	fs.Float64Var(&o.speed, "speed", 1, fmt.Sprintf("playback speed: 2 plays twice as fast as recorded, 0.5 at half speed (%g to %g)", live.MinReplaySpeed, live.MaxReplaySpeed))
	fs.DurationVar(&o.maxGap, "replay.max-gap", live.DefaultMaxGap, "longest wait between two events; a longer silence in the recording is shortened to this, and the page is told")
	fs.BoolVar(&o.wait, "wait", true, "start playing when the first page connects (false: at once)")
	fs.IntVar(&o.maxKeys, "replay.max-keys", live.DefaultMaxKeys, "state entries (node, key) kept for pages that join late; past it the entry updated longest ago is forgotten and the page is told so. Bounds memory whatever the file holds")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gossipscope replay [flags] FILE\n\n"+
			"Serves the page and streams FILE, a session saved with --record, over /ws as if it were\n"+
			"live. Bad or truncated lines are reported with their line number and skipped. A page\n"+
			"that connects late gets the state reached so far, then the rest. (The page can also\n"+
			"open a recording by itself: drop the file on it.)\n\nflags:\n")
		fs.PrintDefaults()
	}
	file, code, ok := parseWithFile(fs, args)
	if !ok {
		return code
	}
	o.file = file
	o.logger = fs.logger()
	if o.maxKeys < 1 {
		fmt.Fprintf(stderr, "gossipscope replay: --replay.max-keys %d must be at least 1\n", o.maxKeys)
		return 2
	}
	if !(o.speed >= live.MinReplaySpeed && o.speed <= live.MaxReplaySpeed) {
		fmt.Fprintf(stderr, "gossipscope replay: --speed %v is not in [%g, %g]\n", o.speed, live.MinReplaySpeed, live.MaxReplaySpeed)
		return 2
	}
	if o.maxGap <= 0 || o.maxGap > 24*time.Hour {
		fmt.Fprintf(stderr, "gossipscope replay: --replay.max-gap %v is not in (0, 24h]\n", o.maxGap)
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	o.source = o.replaySource(ctx, stdout, stderr)
	return serveUntil(ctx, "replay", o.serveOptions, stdout, stderr)
}

// parseWithFile parses flags around exactly one positional FILE argument
// (flags may come before or after it).
func parseWithFile(fs *flagSet, args []string) (file string, code int, ok bool) {
	if code, ok := fs.parseOnly(args); !ok {
		return "", code, false
	}
	if fs.NArg() == 0 {
		return "", fs.fail(errors.New("missing the recording FILE")), false
	}
	file = fs.Arg(0)
	if code, ok := parseFlags(fs, fs.Args()[1:]); !ok {
		return "", code, false
	}
	return file, 0, true
}

// startReplay serves the recording (see replaySource) until Close or
// until ctx is done.
func startReplay(ctx context.Context, o replayOptions, stdout, stderr io.Writer) (*server, error) {
	o.source = o.replaySource(ctx, stdout, stderr)
	return startServer(o.serveOptions, stdout, stderr)
}

// replaySource opens the recording and plays it into the hub in the
// background (after the first page connects, with o.wait) until ctx is
// done or the source is stopped. The server stays up after the end, so
// pages can keep looking.
func (o replayOptions) replaySource(ctx context.Context, stdout, stderr io.Writer) sourceFunc {
	return func(h *live.Hub, _ *slog.Logger) (live.Source, func(), error) {
		rp, err := live.OpenReplay(ctx, o.file, o.speed)
		if err != nil && ctx.Err() != nil {
			return nil, nil, fmt.Errorf("stopped by a signal while reading %s", o.file)
		}
		if err != nil {
			return nil, nil, err
		}
		rp.SetMaxKeys(o.maxKeys)
		rp.SetMaxGap(o.maxGap)
		rp.SetNotify(func(text string) { fmt.Fprintf(stdout, "gossipscope: %s: %s\n", o.file, text) })
		early := rp.Problems()
		for _, p := range early {
			fmt.Fprintf(stderr, "gossipscope replay: %s: %v\n", o.file, p)
		}
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if o.wait {
				fmt.Fprintf(stdout, "gossipscope: %s will play when a page connects\n", o.file)
				if !waitForViewer(pctx, h) {
					return
				}
			}
			fmt.Fprintf(stdout, "gossipscope: playing %s at speed %g\n", o.file, o.speed)
			res, err := rp.Play(pctx, h.Emit, h.Pending, replayBacklog)
			for _, p := range res.Problems[len(early):] { // the early ones were shown
				fmt.Fprintf(stderr, "gossipscope replay: %s: %v\n", o.file, p)
			}
			switch {
			case errors.Is(err, context.Canceled):
			case err != nil:
				fmt.Fprintf(stderr, "gossipscope replay: %v\n", err)
			default:
				fmt.Fprintf(stdout, "gossipscope: %s played: %d events, %d lines skipped\n", o.file, res.Events, res.Skipped)
			}
		}()
		stop := func() { cancel(); <-done; rp.Close() }
		return rp, stop, nil
	}
}

// waitForViewer waits for a client that stays connected a moment: a page
// that only probes whether /ws answers (and closes at once) does not start
// the replay.
func waitForViewer(ctx context.Context, h *live.Hub) bool {
	select {
	case <-ctx.Done():
		return false
	case <-h.WaitClient():
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(300 * time.Millisecond):
		}
		if h.Stats().Clients > 0 {
			return true
		}
	}
}
