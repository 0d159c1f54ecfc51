package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gossipscope/gossipscope/internal/buildinfo"
)

// flagSet is a subcommand's flags plus those every command has
// (--log.level, --log.format, --version), and where help and logs go:
// help to stdout (so `gossipscope serve --help | less` works), logs and
// errors to stderr.
type flagSet struct {
	*flag.FlagSet
	stdout, stderr io.Writer
	logLevel       slog.Level
	logFormat      string
	version        bool
}

// newFlagSet returns a flag set that reports errors instead of exiting, so
// every subcommand answers bad flags the same way: one line and code 2.
func newFlagSet(name string, stdout, stderr io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("gossipscope "+name, flag.ContinueOnError),
		stdout: stdout, stderr: stderr, logLevel: slog.LevelInfo, logFormat: "logfmt"}
	fs.SetOutput(stderr)
	fs.TextVar(&fs.logLevel, "log.level", slog.LevelInfo, "log level: debug, info, warn or error (logs go to standard error)")
	fs.Func("log.format", "log format: logfmt or json (default logfmt)", func(s string) error {
		if s != "logfmt" && s != "json" {
			return fmt.Errorf("%q: use logfmt or json", s)
		}
		fs.logFormat = s
		return nil
	})
	fs.BoolVar(&fs.version, "version", false, "print the version and exit")
	return fs
}

// logger is the command's logger, as --log.level and --log.format say, on
// standard error.
func (fs *flagSet) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: fs.logLevel}
	if fs.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(fs.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(fs.stderr, opts))
}

// parseFlags parses args into fs; it returns the exit code to use and false
// when the caller should stop (help or the version asked for, or a bad
// flag).
func parseFlags(fs *flagSet, args []string) (int, bool) {
	if code, ok := fs.parseOnly(args); !ok {
		return code, false
	}
	if fs.NArg() > 0 {
		return fs.fail(fmt.Errorf("unexpected argument %q", fs.Arg(0))), false
	}
	return 0, true
}

// parseOnly parses the flags, leaving any arguments after them.
func (fs *flagSet) parseOnly(args []string) (int, bool) {
	// The flag package prints the error and the whole usage on a bad
	// flag; we print one line instead.
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(fs.stderr)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.help()
		return 0, false
	case err != nil:
		return fs.fail(err), false
	case fs.version:
		fmt.Fprintln(fs.stdout, buildinfo.Get())
		return 0, false
	}
	return 0, true
}

// help prints the command's usage to standard output.
func (fs *flagSet) help() {
	fs.SetOutput(fs.stdout)
	defer fs.SetOutput(fs.stderr)
	if fs.Usage != nil {
		fs.Usage()
		return
	}
	fmt.Fprintf(fs.stdout, "usage: %s [flags]\n\nflags:\n", fs.Name())
	fs.PrintDefaults()
}

// fail says what is wrong in one line on standard error and returns the
// bad-usage exit code.
func (fs *flagSet) fail(err error) int {
	msg := strings.TrimSpace(strings.ReplaceAll(err.Error(), "\n", "; "))
	fmt.Fprintf(fs.stderr, "%s: %s; try --help\n", fs.Name(), msg)
	return 2
}
