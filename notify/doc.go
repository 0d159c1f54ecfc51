// Package notify is Alertmanager v0.27's HA notification pipeline for one
// route and one receiver (dispatch/, notify/notify.go): alerts grouped by
// group_by, each group flushed after group_wait and then every
// group_interval; silenced alerts muted; a peer at position K waits
// K x peer_timeout, then skips what the gossiped notification log shows
// another peer already sent; else it sends (retrying until the group
// interval ends) and logs the notification, which the log gossips.
//
// It needs no socket and no HTTP of its own: the peer's position, the
// silences, the notification log and the Sender come from Config; Webhook
// is the Sender that POSTs Alertmanager's webhook payload. Alert hashes
// are Alertmanager's (xxhash of the sorted labels), so mixed clusters of
// gossipscope nodes and real Alertmanagers deduplicate each other.
package notify
