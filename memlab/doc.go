// Package memlab runs a lab of real memberlist nodes on an in-memory
// network (memnet): the page's "memberlist" mode, where a cluster of up to
// MaxNodes runs inside the browser with no server. Each node is the lab's
// Alertmanager-compatible peer (package cluster) with its silences and
// notification log, and the server lab's notification pipeline (package
// notify, notify.go): an alert waits position x peer timeout, then is sent
// to the one receiver only if the gossiped log has no entry for its group.
// Like the server's lab it is driven by protocol Commands (crash, restart,
// partition, heal, loss, silence, alert, plus slow and leave) and reports
// everything as protocol events: every message (from memnet), what each
// node holds (state events), membership as the majority of the nodes sees
// it (node events), notifications (notes), and the network's changes.
//
// It also answers what only a running cluster can: each node's own member
// table, and counters for the lessons of failure detection: the time from
// a crash to the first suspicion and to dead in every view, beside
// memberlist's suspicion-timeout formula, and false suspicions raised and
// refuted.
//
// Time is memberlist's: the wall clock, with Alertmanager's cluster
// intervals (memberlist's LAN timings, push-pull every 60 s) divided by
// Config.Speedup.
package memlab
