// Presets for the classroom: each is a scenario, a query string the wasm's
// load() understands (engine.ParseQuery: faults are "do=KIND@MS:ARGS"), or,
// for the Alertmanager ones, a command to the live lab.
"use strict";

window.gossipscopePresets = [
  {
    id: "seed",
    label: "The seed: 1 s period, fan-out 3",
    about: "The seed's defaults: every second each informed node tells 3 peers it has not told yet, never the one it heard from.",
    query: "nodes=100&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=1",
  },
  {
    id: "compare",
    label: "PUSH vs PULL vs PUSH-PULL",
    about: "The same 200 nodes, three ways to exchange news, one after another. Watch the table.",
    sequence: [
      { mode: "push", query: "nodes=200&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=7" },
      { mode: "pull", query: "nodes=200&fanout=3&period=1000&mode=pull&peers=seed&stop=never&seed=7" },
      { mode: "pushpull", query: "nodes=200&fanout=3&period=1000&mode=pushpull&peers=seed&stop=never&seed=7" },
    ],
    speed: 4,
  },
  {
    id: "crash",
    label: "Crash a node",
    about: "n1 crashes after 1.5 s; the news goes around it. Click it to bring it back.",
    query: "nodes=60&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=3&do=crash@1500:1",
  },
  {
    id: "partition",
    label: "Partition, then heal",
    about: "The network starts cut in two and heals at 5 s: the far half learns the news only after the heal.",
    query: "nodes=80&fanout=2&period=1000&mode=pushpull&peers=random&stop=never&seed=5&do=partition@0:0-39/40-79&do=heal@5000",
  },
  {
    id: "n1000",
    label: "1,000 nodes",
    about: "One tells three, three tell nine: about log N rounds for a thousand nodes.",
    query: "nodes=1000&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=1",
  },
  {
    id: "n10000",
    label: "10,000 nodes",
    about: "Ten thousand nodes, still only a handful of rounds.",
    query: "nodes=10000&fanout=3&period=1000&mode=push&peers=seed&stop=all&seed=1",
    speed: 2,
  },
  {
    id: "am-silence",
    label: "Alertmanager: silence replicates",
    about: "A silence created on one live node appears on every other node by gossip.",
    live: true,
    command: { cmd: "silence", text: "maintenance (gossipscope)" },
  },
  {
    id: "am-dedup",
    label: "Alertmanager: one notification",
    about: "The same alert goes to every live node; the gossiped notification log makes the cluster notify once.",
    live: true,
    command: { cmd: "alert", node: "", text: "GossipscopeDemo" },
  },
];
