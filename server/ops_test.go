package main

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/gossipscope/gossipscope/node"
)

// The lab's default ports keep clear of Alertmanager's 9093/9094, so
// `make run` works beside a real Alertmanager.
func TestLabDefaultPortsAvoidAlertmanagers(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var o labOptions
	addLabFlags(fs, &o)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		for _, p := range []int{o.apiPort + 2*i, o.gossipPort + 2*i} {
			if p == node.APIPort || p == node.GossipPort {
				t.Fatalf("lab node %d takes port %d, Alertmanager's own", i, p)
			}
		}
	}
}

// At start the lab prints each node's API and gossip address, and the API
// address printed answers.
func TestLabPrintsEachNodesAddresses(t *testing.T) {
	var out bytes.Buffer
	lab := labOptions{nodes: 2, randomPorts: true, fast: true}
	startTestServer(t, serveOptions{listen: "127.0.0.1:0", source: lab.source(&out)})
	re := regexp.MustCompile(`(?m)^gossipscope: lab node (n[12]) api (http://127\.0\.0\.1:\d+) gossip 127\.0\.0\.1:\d+$`)
	m := re.FindAllStringSubmatch(out.String(), -1)
	if len(m) != 2 || m[0][1] != "n1" || m[1][1] != "n2" {
		t.Fatalf("start output %q: want one line per node with its API and gossip addresses", out.String())
	}
	resp, err := http.Get(m[1][2] + "/api/v2/status")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s/api/v2/status: %s", m[1][2], resp.Status)
	}
}
