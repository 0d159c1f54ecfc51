// Package live streams the events of a running gossip source (a lab cluster
// of real memberlist nodes, or a recording being replayed) to any number of
// browsers over a websocket, takes commands back from them, and records a
// session as JSON Lines.
//
// # Parts
//
// A Hub receives events from its Source through Emit, which never blocks
// for long: events wait in a bounded pending list and a flusher goroutine
// encodes them once every FlushInterval (25 ms) into one batch of JSON
// Lines that every client and the recorder share. Each client has its own
// bounded queue and writer goroutine, so a slow browser only ever delays
// itself: when its queue is full its batches are dropped and counted, it is
// told how many, and it is disconnected when a write stays blocked for
// WriteTimeout or it keeps dropping for SlowClientTimeout. The source and the
// other clients never wait for it.
//
// # Wire format on /ws
//
// Server to page: text messages, each holding one or more events as JSON
// Lines (the protocol.Encoder format: one JSON object per line, each line
// ending in "\n"). A message never splits an event. The first message a
// client gets starts with the source's header event, followed by a snapshot
// of the current state (node events for every known member, state events
// for what each node holds, a partition event if the network is cut, all at
// the current t); then the stream follows. Events just before the snapshot
// may also arrive just after it: every snapshot event is idempotent, so
// applying them twice is harmless. T never decreases within the stream: an
// event emitted with an earlier T than the one before it (several goroutines
// race to Emit) is given the earlier event's T.
//
//	{"type":"header","t":0,"version":1,"source":"lab","params":{...}}
//	{"type":"node","t":5120.3,"node":"n1","status":"alive"}
//	{"type":"msg","t":5121.9,"from":"n1","to":"n2","kind":"ping","bytes":50}
//
// Page to server: text messages holding exactly one protocol.Command as a
// JSON object, at most protocol.MaxCommandBytes bytes (a larger message
// closes the connection with status 1009, "message too big"):
//
//	{"id":"7","cmd":"silence","node":"n3","text":"maintenance"}
//	{"id":"8","cmd":"alert","text":"HighLatency"}          // node "" = every node
//	{"id":"9","cmd":"crash","node":"n2"}
//	{"id":"10","cmd":"restart","node":"n2"}
//	{"id":"11","cmd":"partition","groups":[["n1","n2"],["n3","n4","n5"]]}
//	{"id":"12","cmd":"heal"}
//	{"id":"13","cmd":"loss","loss":0.2}
//
// Every command gets exactly one reply event, sent to that client only,
// after any events the command emitted while it ran. Replies are never
// dropped, so a client must read them: while its backlog is at
// ClientBuffer, its next command is not read (its own socket fills). An id
// longer than protocol.MaxIDBytes (128) is refused and not echoed, and a
// reply's error text is cut at 512 bytes:
//
//	{"type":"reply","t":8001.5,"id":"7"}                           // done
//	{"type":"reply","t":8001.5,"id":"9","error":"crash: unknown node \"n9\""}
//
// A command that fails (malformed JSON, a binary message, a failed
// protocol.Command.Validate, more than Config.CommandRate commands a second
// from one remote address, or the source refusing it) changes nothing.
//
// Clients: at most Config.MaxClients (64), Config.MaxClientsPerAddr (16)
// from one address. Past a limit, the client that has sent no command for
// longest is closed (status 1008, "evicted: ...") if that is at least
// Config.ClientIdleTimeout (a minute); otherwise the newcomer gets HTTP 503.
//
// A client that falls behind gets, where the gap is, a note event:
//
//	{"type":"note","t":9000,"text":"dropped 1532 events: this client reads too slowly","params":{"dropped":1532}}
//
// and a client that stays stuck is closed with status 1008 (policy
// violation). A replay sends a note when the recording ends or has bad
// lines. Origins: a page may open /ws only from the server's own origin,
// unless Config.OriginPatterns (the server's --web.allowed-origin) allows
// more; a foreign Origin gets HTTP 403. The server also refuses (403) any
// request whose Host is not an IP, localhost or an allowed name, so that a
// page whose DNS name was re-pointed at the server (same Origin and Host)
// cannot open /ws either: see internal/webguard.
//
// # Other endpoints
//
// Hub.StatsHandler serves Stats as JSON (the server mounts it at
// /api/live): the source ("" while there is none, when /ws answers 503),
// connected clients, events emitted, events dropped, messages and bytes
// written, commands handled, clients cut off, idle clients evicted, and per
// client or recorder
// its queue, events sent and dropped:
//
//	{"source":"lab","clients":1,"events":5120,"dropped":0,"messages":311,"bytes":731042,
//	 "commands":2,"command_errors":0,"disconnected":0,"evicted":0,
//	 "sinks":[{"id":1,"kind":"client","remote":"127.0.0.1:50412","seconds":8.2,"queued":0,"sent":5120,"dropped":0}]}
//
// A page can GET it to learn whether a live source exists without opening
// (and so starting) a websocket stream.
//
// # Recording
//
// Hub.Record writes the same stream a client gets (header, snapshot, every
// event, and notes about anything dropped) to a file as JSON Lines; a
// Replay plays such a file back through a Hub at a chosen speed, skipping
// and reporting (by line number) anything it cannot use.
package live
