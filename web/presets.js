// Presets for the classroom, and the buttons that run them. Each is a
// scenario, a query string the wasm's load() understands (engine.ParseQuery:
// faults are "do=KIND@MS:ARGS"), a sequence of them compared in a table, or,
// for the Alertmanager ones, a command to the live lab.
"use strict";

window.gossipscopePresets = [
  {
    id: "seed",
    label: "Basic rules: 1 s period, fan-out 3",
    about: "The basic gossip rules: every second each informed node tells 3 peers it has not told yet, never the one it heard from.",
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

(() => {
  const P = window.gossipscopePage;
  const $ = P.$;
  let run = null; // the comparison under way

  P.onReadyHooks.push(() => {
    const box = $("presets");
    for (const p of window.gossipscopePresets) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = p.label;
      b.title = p.about || "";
      b.dataset.preset = p.id;
      if (p.live) {
        b.classList.add("live");
        b.disabled = true; // until a live server answers
      }
      b.addEventListener("click", () => runPreset(p));
      box.appendChild(b);
    }
    const note = document.createElement("p");
    note.id = "presets-live-note";
    note.className = "hint";
    note.textContent = "The Alertmanager presets need the live lab: run the server with make run (gossipscope serve --lab 5) and open its page.";
    note.hidden = true;
    box.after(note);
  });

  // liveNeedsNote says why the Alertmanager presets cannot run (no live
  // lab answers), rather than leaving them grey without a word.
  P.liveNeedsNote = (show) => {
    const note = $("presets-live-note");
    if (note) note.hidden = !show;
    for (const b of document.querySelectorAll("#presets button.live")) {
      const p = window.gossipscopePresets.find((x) => x.id === b.dataset.preset);
      b.title = (p && p.about ? p.about + " " : "") + (show ? "Needs the live lab (make run)." : "");
    }
  };

  function runPreset(p) {
    P.stopCompare();
    P.clearError();
    if (p.live) return P.runLivePreset(p);
    P.leaveLive();
    P.replayURL = null;
    if (p.sequence) return startCompare(p);
    if (P.call("load", p.query).ok === false) return;
    P.setSpeed(p.speed || 1);
    P.call("play");
    P.syncURL(true);
    P.showStatus(p.about || p.label, 5000);
  }

  // ---- PUSH vs PULL vs PUSH-PULL, one after another ----

  function startCompare(p) {
    run = { preset: p, index: -1, rows: [] };
    P.compare = run.rows;
    $("compare").hidden = false;
    $("compare-rows").textContent = "";
    next();
  }

  function next() {
    run.index++;
    const seq = run.preset.sequence;
    if (run.index >= seq.length) {
      P.showStatus("Compared: PUSH-PULL converges in the fewest rounds, but sends the most messages.", 8000);
      run = null;
      return;
    }
    const step = seq[run.index];
    if (P.call("load", step.query).ok === false) {
      run = null;
      return;
    }
    const tr = document.createElement("tr");
    tr.className = "running";
    for (let i = 0; i < 4; i++) tr.appendChild(document.createElement("td"));
    tr.cells[0].textContent = step.mode === "pushpull" ? "PUSH-PULL" : step.mode.toUpperCase();
    $("compare-rows").appendChild(tr);
    run.rows.push({ mode: step.mode, rounds: null, messages: 0, redundant: 0, done: false, tr });
    P.setSpeed(run.preset.speed || 1);
    P.call("play");
    P.syncURL(true);
    P.showStatus(`${tr.cells[0].textContent}: ${run.index + 1} of ${seq.length}`, 3000);
  }

  // compareTick records each mode's figures at the moment every live node
  // knows the news (PULL and PUSH-PULL keep exchanging digests after that,
  // so "done" would come much later), then moves on after a pause.
  P.compareTick = (st) => {
    const row = run && run.rows[run.index];
    if (!row) return;
    if (!row.done) {
      row.messages = st.messages;
      row.redundant = st.redundant;
      if (st.nodes > 0 && st.informed >= (st.alive || st.nodes)) {
        row.rounds = st.round;
        row.done = true;
        row.tr.className = "";
        // A moment to look at the result, then the next mode: by a timer,
        // as a run that has finished draws nothing and the page stops
        // refreshing.
        const r = run;
        setTimeout(() => { if (run === r && r.rows[r.index] === row) next(); }, 2000);
      }
    }
    row.tr.cells[1].textContent = row.rounds === null ? "…" : String(row.rounds);
    row.tr.cells[2].textContent = String(row.messages);
    row.tr.cells[3].textContent = String(row.redundant);
  };

  P.stopCompare = () => {
    const row = run && run.rows[run.index];
    if (row) row.tr.className = "";
    run = null;
  };
})();
