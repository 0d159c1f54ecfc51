// Package engine is the gossip protocol of docs/gossip-rules.md as a deterministic
// discrete-event simulator. It runs natively (gossipscope sim, tests,
// benchmarks) and in the page (WebAssembly): same Config and seed, same
// history, byte for byte.
//
// # The model
//
// N nodes, named "n0".."n<N-1>", hold (key, value, version) items; at time
// 0 node j%N holds key j at version 1. Every Period each alive node ticks:
//
//   - Push: a node with news (active) sends its items to Fanout peers;
//     the receiver keeps what is newer. 1 message.
//   - Pull: every node sends Fanout peers its digest (key, version); each
//     answers with its newer items. 2 messages per exchange.
//   - PushPull: as Pull, then the asker sends back the items of its digest
//     that are newer than the answerer's. 3 messages; afterwards both hold
//     what either held when the exchange began.
//
// Peers are chosen by the basic rules (PeersSeed: peers it has not sent to
// since its news, never the node it heard the news from) or uniformly
// (PeersRandom, the classic model). In Push mode a node stops spreading
// after it has sent to every peer (StopAll, the default), after
// RetransmitMult*ceil(log10(N+1)) sends (StopLimit, memberlist), after
// FeedbackK contacts with nodes that already knew (StopFeedback, Demers'
// counter) or with probability 1/FeedbackK at each such contact (StopCoin,
// Demers' coin), or never. Pull and PushPull are periodic anti-entropy and
// never stop. Rounds are synchronous (every node ticks at (r-1)*Period for
// round r) or, with Async, each node has its own phase. Messages take
// LatencyMin..LatencyMax ms, are lost with probability Loss, and never
// cross a partition or reach a dead node.
//
// Faults and news are a Schedule of Actions (crash, restart, partition,
// heal, join, update, loss) applied at their times. The Schedule is also
// how a page interacts: to crash n3 at time t it appends
// Action{At: t, Kind: ActCrash, Node: 3}, builds a new Sim from the same
// Config and advances it to t again; the history up to t is identical.
// Config.Query and ParseQuery turn a scenario into a URL and back exactly.
//
// # Events
//
// Header() is the stream's first event. Advance(until, emit) emits, in time
// order: "node" alive for every initial node and "state" for the initial
// items at t=0; a "round" marker when each round starts; a "msg" per
// message (Kind push, pullreq, pullresp or pushback; Key and Version of
// the newest-learned item it carries; Arrive, or Lost; Redundant when the
// receiver already held all it carries when it was sent; Round); a "state"
// when a node gains a newer version; "node" dead/alive for crash, restart
// and join; "partition", "heal"; "param" for a loss change.
//
// # Determinism and speed
//
// Everything at one instant happens in a fixed order: scheduled actions,
// the round marker, ticks (in node order), then deliveries by kind
// (digests are answered before pushes land, so a synchronous zero-latency
// round is the classic model where everyone acts on the state it had when
// the round began), ties broken by the receiver's block of 4096 nodes,
// then send order. Randomness is one PCG stream seeded from Config.Seed.
// State is a struct of arrays per node, with no per-message allocation and
// no goroutines but the bitset kernel's. Three schedulers compute the same
// history, and a fourth the same model:
//
//   - the event heap, ordered by (time, rank, block, sequence): the
//     general one (asynchronous tickers, latency);
//
//   - the round scheduler, for synchronous zero-latency runs: each round
//     ticks every node, then delivers FIFO queues kind by kind, block by
//     block; the same event stream as the heap, byte for byte (tested);
//
//   - the round kernel (kernel.go), used for synchronous zero-latency
//     runs when nothing is emitted (Run, Advance with a nil emit), with
//     one key, every node alive, no partition and nothing left in the
//     Schedule: with the same Stats as the round scheduler, exactly
//     (tested; the same random draws in the same order), it computes each
//     round in one pass over the nodes with no message queued. In such a
//     round every message carries the state its sender had when the round
//     began, so who learns from whom and which messages were redundant
//     follow from the round's picks and one byte per node (informed, and
//     a count of the messages it got). Loss and Demers' coin draw on
//     delivery: the kernel keeps what it needs to make those draws in the
//     scheduler's order (kernel_draws.go). A run with faults hands over to
//     the kernel once its last action is applied and the state fits (every
//     node not up to date holds the same older version).
//
//   - the bitset kernel (classic.go, skip.go), Run's path for the classic
//     model (PeersRandom; StopNever, or in PUSH a send-count stop rule):
//     a bit per node, one multiply per pick, blocks of nodes with their
//     own random streams so that one trial uses every core (RunWorkers)
//     with the same Stats whatever their number. It draws its own random
//     numbers, so for these scenarios Run equals New+Advance in
//     distribution, not draw for draw.
//
// Chain (chain.go) is the classic model at the level of counts: the number
// of informed nodes is a Markov chain whose transitions it draws exactly
// (binomial pulls, occupancy of pushes; sample.go), so a trial costs its
// rounds whatever N: a billion nodes in milliseconds. Tests check that it
// and the bitset kernel have one distribution. Plan (plan.go) runs it for
// memberlist's dissemination settings: the spread of the time until 50,
// 99 and 100% of a cluster know.
//
// Costs, measured side by side with a naive loop (engine/internal/naive)
// by scripts/bench-engine.sh: see docs/benchmarks.md. The round
// scheduler costs about 30 ns per message, the round kernel a few, and
// the bitset kernel a fraction of a nanosecond per message on PUSH-PULL.
package engine
