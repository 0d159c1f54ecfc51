// Package server is the gossipscope command: it serves the page, runs
// simulations, real gossip nodes and lab clusters, observes real
// Alertmanager clusters, and records and replays live sessions. The binary
// is cmd/gossipscope, whose main calls Main (so that `go install
// .../cmd/gossipscope` names it gossipscope).
//
// Each subcommand lives in its own file and registers itself in init.
package server

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/gossipscope/gossipscope/internal/buildinfo"
)

// command is one subcommand: run parses args and returns the process exit
// code (0 ok, 1 failure, 2 bad usage).
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{summary, run}
}

// Main runs the command line os.Args and exits with its code.
func Main() { os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr)) }

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return 0
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, buildinfo.Get())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gossipscope: unknown command %q; try --help\n", args[0])
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gossipscope <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "version", "print the version (also --version on every command)")
	fmt.Fprintln(w, "\nRun 'gossipscope <command> --help' for a command's flags. Every command takes\n--log.level, --log.format and --version.")
}
