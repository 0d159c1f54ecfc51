// Command gossipscope serves the gossipscope page, runs simulations, real
// gossip nodes and lab clusters, observes real Alertmanager clusters, and
// records and replays live sessions. Run 'gossipscope help'; the code is in
// package server.
package main

import "github.com/gossipscope/gossipscope/server"

func main() { server.Main() }
