// Package observer watches a real Prometheus Alertmanager HA cluster
// (v0.27) without disturbing it and turns what it measures into protocol
// events: the third live source, beside the lab (node.Lab) and a replay.
// An Observer is a live.Source; "gossipscope observe" serves it with the
// page, /ws, /api/live and --record.
//
// # Passive mode (the default)
//
// The observer only sends GET requests (its HTTP client refuses any other
// method) to each Alertmanager in Config.URLs, every Config.Interval (1 s,
// measured start to start), at most Config.MaxConcurrent requests at once
// over all of them, each bounded by Config.Timeout:
//
//   - /api/v2/status: the node's peer name, its cluster status (ready,
//     settling) and its member list. Peers are named in the stream by
//     short aliases, "am1", "am2", ...; the peer names seen at the start
//     are numbered in byte order, so amK starts as the peer at HA position
//     K-1; later ones get the next numbers. The header's params carry
//     "names" (the aliases), "peer_names" (alias -> peer name), "api_urls"
//     (alias -> polled URL), and a note announces every new alias.
//     node events: a peer is alive while some answering Alertmanager lists
//     it as a member, dead once none does. The API has no suspect state,
//     so neither does the stream; while no Alertmanager answers, nothing
//     is known and no status changes.
//   - /api/v2/silences: state events for each silence a node holds at a
//     version not seen on that node before, with node/'s keys: key
//     "sil/<id>", version = updatedAt in unix ms, value = the comment. So
//     a silence created on one node shows its arrival on every other node,
//     to within the poll interval (replication takes ~100 ms on loopback:
//     poll faster, e.g. 200 ms, to see the order). Alerts are not gossiped
//     and there is no API for the notification log, so neither appears.
//   - /metrics: the cluster's own counters of its gossip
//     (alertmanager_cluster_messages_{received,sent}{,_size}_total by
//     msg_type, _pruned_total, the silences' and nflog's propagated
//     messages, oversized messages, peers joined and left, reconnections,
//     notifications) as increases between two scrapes, and its gauges
//     (members, peer position, failed peers, health score, queued
//     messages) when they change: one note event per node and scrape when
//     anything changed, text for people, params {"delta": {...},
//     "value": {...}, "seconds": s} for programs.
//
// The observer never makes up a msg event: it cannot see a message
// between two peers, only their counts.
//
// An Alertmanager that does not answer (refused, timed out, not HTTP 200,
// not an Alertmanager) gets one note event when it stops answering and
// one when it answers again; meanwhile it is retried after a wait that
// doubles from Interval up to Config.MaxBackoff (30 s). Nothing stops the
// observer but Close.
//
// # Join mode
//
// With Config.Join the observer also becomes a memberlist member of the
// cluster, to see the messages peers send to it: every UDP packet it
// receives is split into messages (label, CRC, compression and compound
// wrappers removed) and reported as msg events from the sender (named by
// its address in the member list; packets from an address not in it get
// one note) to "observer", with node/'s kinds and,
// for user messages, its keys; the packets it sends (acks, relayed
// membership news) likewise. A user message that arrives over TCP
// (oversized, sent to every member) and a push-pull's full state are
// notes: TCP does not say who sent them. Membership (node events, with
// left apart from dead) then comes from the observer's own member list.
//
// It takes care to disturb as little as a member can:
//   - its name, "~observer-xxxxxx", sorts after every real peer (names are
//     ULIDs, '~' sorts after them), checked against /api/v2/status before
//     joining and the member list after: no real peer's HA position, and
//     so no notification's timing, changes;
//   - it has no metadata, an empty local state (memberlist then does not
//     even call Alertmanager's MergeRemoteState) and no broadcasts;
//   - it never starts a push-pull, and its probe interval is 24 h rather
//     than 0 (0 would make memberlist's suspicion timeout zero and the
//     observer would declare peers dead at once);
//   - it always leaves on Close.
//
// What it still costs the cluster, because it is a member: every peer
// counts it in the cluster size and picks it as a gossip target, so a
// share of each message's gossip sends go to the observer (which does not
// pass data on) instead of to real peers, slowing replication (measured
// in docs/gossip-rules.md: a tail of 3 s instead of 0.3 s); peers probe
// it and push-pull with it; it relays memberlist's membership news; and
// after it leaves, Alertmanager keeps it in its failed-peers list and
// tries to reconnect every 10 s for up to 6 h. Measured against two real
// v0.27 peers with Alertmanager's default timings, over 30 s in which 10
// silences were made: the observer received 27 pings and 26 user messages
// (2.6 copies of each silence that real peers sent it rather than each
// other) and sent 27 acks, 12 relayed alive messages and, leaving, 4 dead
// messages. Passive mode costs three GETs per node and interval, nothing
// else.
//
// # Commands
//
// The observer changes nothing: every command from the page is refused
// with ErrReadOnly ("observer is read-only").
package observer
