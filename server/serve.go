package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/gossipscope/gossipscope"
)

func init() {
	register("serve", "serve the page (and, with --lab N, a live lab cluster over /ws)", runServe)
}

// serveOptions are the serve command's settings.
type serveOptions struct {
	listen         string
	lab            int
	allowedOrigins []string
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	var o serveOptions
	fs.StringVar(&o.listen, "web.listen-address", "127.0.0.1:8080", "address to serve the page on (loopback unless you say otherwise)")
	fs.IntVar(&o.lab, "lab", 0, "also run a live lab cluster of this many gossip nodes (0: none)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if o.lab < 0 {
		fmt.Fprintln(stderr, "gossipscope serve: --lab must be >= 0")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	mux := http.NewServeMux()
	mux.Handle("/", newPageHandler(gossipscope.Page))

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		fmt.Fprintf(stderr, "gossipscope serve: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "gossipscope: serving http://%s/\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "gossipscope serve: %v\n", err)
		return 1
	}
	return 0
}
