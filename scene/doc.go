// Package scene is the page's player and scene model, kept apart from
// drawing so that it runs and is tested natively.
//
// A Player buffers a stream of protocol events in a compact log (32 bytes
// per event, names interned) and answers "what is on screen at time t":
// which nodes exist and in what state, which messages are in flight between
// which nodes, the counters, the chart series and a narration line in plain
// words. Seeking is cheap in both directions: the player keeps a snapshot of
// the cumulative state every few thousand events and replays from the
// nearest one.
//
// Layout places nodes (a circle for small clusters, a sunflower disc for
// thousands), Compose turns the player's view at time t into a Frame of
// vertices and text for one screen size, and Playback turns wall-clock time
// into stream time (play, pause, speed, step, live). The wasm renderer only
// copies a Frame to the GPU; every decision about what to show lives here.
//
// Colours by node state: uninformed (slate), informed and still spreading
// (amber), informed and stopped spreading (teal: it will not carry the news
// again), suspect (orange), crashed or left (red, hollow), cut off (violet:
// uninformed, and no live node in its side of a partition holds the news).
// A node glows for a moment when the news reaches it.
package scene
