// Command naivegossip runs the naive baseline (package naive) as its own
// process, so scripts/bench-engine.sh can time it whole, side by side with
// gossipscope sim: naivegossip NODES FANOUT MODE [SEED].
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/gossipscope/gossipscope/engine/internal/naive"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: naivegossip NODES FANOUT push|pull|pushpull [SEED]")
		os.Exit(2)
	}
	n, err1 := strconv.Atoi(os.Args[1])
	k, err2 := strconv.Atoi(os.Args[2])
	seed := uint64(1)
	var err3 error
	if len(os.Args) > 4 {
		seed, err3 = strconv.ParseUint(os.Args[4], 10, 64)
	}
	mode := naive.Mode(os.Args[3])
	if err1 != nil || err2 != nil || err3 != nil || n < 2 || k < 1 ||
		(mode != "push" && mode != "pull" && mode != "pushpull") {
		fmt.Fprintln(os.Stderr, "naivegossip: bad arguments")
		os.Exit(2)
	}
	fmt.Printf("{\"rounds_100\": %d}\n", naive.Run(n, k, mode, seed, 10_000))
}
