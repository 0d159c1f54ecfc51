// gossipscope page: take-aways for a lesson. The canvas (nodes, counters,
// chart) as a PNG, the run's figures per round as CSV, and a short WebM
// video from the canvas' capture stream. All three are made in the page
// from the JS API (docs/jsapi.md); window.gossipscopeExport returns them as
// Blobs for a test, the "Take it with you" card downloads them.
"use strict";

(() => {
  const P = window.gossipscopePage;
  const $ = P.$;

  const canvas = () => document.querySelector("body > canvas");

  // The wasm leaves the canvas transparent where it draws nothing (the
  // scene's background is the canvas's CSS background), so a copy gets
  // that background painted under it.
  function background() {
    const c = canvas();
    return (c && getComputedStyle(c).backgroundColor) || "#000";
  }

  // grabFrame copies the canvas onto a 2D canvas just after the wasm drew
  // a frame. WebGL's drawing buffer is only readable until the browser
  // presents it (preserveDrawingBuffer is off, as it should be for speed),
  // and the wasm draws only when the picture changed. So the page nudges
  // the layout by one CSS px (the insets it gives the wasm), waits for that
  // frame, puts it back and copies the frame that follows: the picture as
  // it was. The copy is made in the same turn as the draw: right after the
  // call when the wasm drew during it (waking from sleep), or from an
  // animation-frame callback queued after ebiten's own (queued from a task
  // after the frame, so it runs after ebiten's callback, before the
  // browser presents).
  function grabFrame() {
    return new Promise((resolve, reject) => {
      const src = canvas();
      if (!src || !P.gs) return reject(new Error("the canvas is not ready"));
      const ins = P.insets;
      const setInsets = (extra) => P.callQuiet("setInsets", ins.top, ins.right, ins.bottom + extra, ins.left);
      let mark = 0;
      let nudged = false;
      let tries = 0;
      const copy = () => {
        const out = document.createElement("canvas");
        out.width = src.width;
        out.height = src.height;
        const g = out.getContext("2d");
        g.fillStyle = background();
        g.fillRect(0, 0, out.width, out.height);
        g.drawImage(src, 0, 0);
        // On a software renderer the still part of the picture (nodes,
        // texts, the panel) lies on a plane of its own over the canvas
        // (wasm/stillplane.go): the picture has it on top.
        const plane = document.getElementById("still-plane");
        if (plane && plane.style.display !== "none" && plane.firstChild) {
          g.drawImage(plane.firstChild, 0, 0);
        }
        resolve(out);
      };
      // drew handles a new frame: the first is the nudge, the second the copy.
      const drew = () => {
        if (nudged) return copy();
        nudged = true;
        act(0);
      };
      const later = () => setTimeout(() => requestAnimationFrame(look), 0);
      const act = (extra) => {
        mark = P.frames();
        setInsets(extra);
        if (P.frames() > mark) return drew();
        later();
      };
      const look = () => {
        if (P.frames() > mark) return drew();
        if (++tries > 240) {
          setInsets(0);
          return reject(new Error("the canvas drew no new frame"));
        }
        later();
      };
      act(1);
    });
  }

  function toBlob(c, type) {
    return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error(`no ${type}`))), type));
  }

  async function png() {
    return toBlob(await grabFrame(), "image/png");
  }

  // ---- figures per round ----

  const COLUMNS = ["round", "start_ms", "end_ms", "nodes", "alive", "informed", "messages", "redundant", "lost",
    "messages_total", "redundant_total", "lost_total"];

  // rounds walks the run round by round with the API's own stepping
  // (stepRound moves to the next round marker; state() reads the counters),
  // then puts the playhead back where it was. A round's figures are the
  // counters just before its marker and just before the next one: the
  // messages a round sends at its start belong to it, and "informed" is
  // what the round left (the last round ends where the stream ends: with no
  // latency that is its own start, its messages all sent and delivered
  // at once). Live
  // streams step over what arrived so far.
  function rounds() {
    const st0 = P.state();
    if (!st0) throw new Error("the simulator is not ready");
    const wasPlaying = st0.playing;
    const t0 = st0.t;
    const just = (t) => { P.callQuiet("seek", t - 1e-6); return P.state(); };
    const zero = { messages: 0, redundant: 0, lost: 0 };
    const marks = []; // [{at: state at the marker, before: state just before}]
    let end = null;
    try {
      P.callQuiet("seek", 0);
      let last = P.state();
      marks.push({ at: last, before: Object.assign({ t: 0 }, zero) });
      for (let i = 0; i < 5000; i++) {
        P.callQuiet("stepRound");
        const st = P.state();
        if (!st || st.t <= last.t) break;
        if (st.round !== last.round) marks.push({ at: st, before: just(st.t) });
        P.callQuiet("seek", st.t);
        last = st;
        if (st.done) break;
      }
      P.callQuiet("seek", 1e15);
      end = P.state();
    } finally {
      P.callQuiet("seek", t0);
      if (wasPlaying) P.callQuiet("play");
    }
    const rows = [];
    for (let i = 0; i < marks.length; i++) {
      const a = marks[i].at;
      const from = marks[i].before;
      const b = i + 1 < marks.length ? marks[i + 1].before : end;
      rows.push({
        round: a.round, start_ms: a.t, end_ms: b.t, nodes: b.nodes, alive: b.alive, informed: b.informed,
        messages: b.messages - from.messages, redundant: b.redundant - from.redundant, lost: b.lost - from.lost,
        messages_total: b.messages, redundant_total: b.redundant, lost_total: b.lost,
      });
    }
    return rows;
  }

  function csvText() {
    const rows = rounds();
    const scen = P.scenario();
    const lines = [`# gossipscope ${scen ? "scenario " + scen : "stream " + ((P.state() || {}).stream || "")}`];
    lines.push(COLUMNS.join(","));
    for (const r of rows) lines.push(COLUMNS.map((c) => String(Math.round(r[c] * 1000) / 1000)).join(","));
    return lines.join("\n") + "\n";
  }

  // ---- video ----

  let recorder = null;

  function webmType() {
    const types = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];
    return types.find((t) => window.MediaRecorder && MediaRecorder.isTypeSupported(t)) || "";
  }

  // record starts recording the canvas; stop() ends it and resolves the
  // WebM. The capture stream only gets a frame when the canvas draws one,
  // which is what the animation shows (a still page adds no frames).
  function record() {
    const c = canvas();
    if (!c || !c.captureStream) throw new Error("this browser cannot record the canvas");
    const type = webmType();
    if (!type) throw new Error("this browser cannot record WebM video");
    if (recorder) throw new Error("already recording");
    const stream = c.captureStream(30);
    const rec = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 4e6 });
    const chunks = [];
    rec.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
    const done = new Promise((resolve) => {
      rec.onstop = () => {
        for (const tr of stream.getTracks()) tr.stop();
        resolve(new Blob(chunks, { type: "video/webm" }));
      };
    });
    rec.start(250);
    // The stream captures ebiten's canvas alone: the still part of the
    // picture goes back onto it from a plane of its own (software
    // renderers) while recording.
    P.callQuiet("setPlane", false);
    P.callQuiet("setOverlay", {}); // a first frame for the stream
    recorder = {
      stop() {
        recorder = null;
        P.callQuiet("setPlane", true);
        if (rec.state !== "inactive") rec.stop();
        return done;
      },
    };
    return recorder;
  }

  // ---- downloads ----

  function fileStem() {
    const st = P.state() || {};
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const when = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
    return `gossipscope-${st.source === "live" ? "live" : st.source || "sim"}-${when}`;
  }

  function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  function bind() {
    const on = (id, f) => $(id).addEventListener("click", f);
    on("x-png", async () => {
      try {
        download(await png(), fileStem() + ".png");
      } catch (e) {
        P.showError(`Could not save the picture: ${e.message}`);
      }
    });
    on("x-csv", () => {
      try {
        download(new Blob([csvText()], { type: "text/csv" }), fileStem() + ".csv");
      } catch (e) {
        P.showError(`Could not save the figures: ${e.message}`);
      }
    });
    const btn = $("x-webm");
    on("x-webm", async () => {
      if (recorder) {
        btn.disabled = true;
        const blob = await recorder.stop();
        btn.disabled = false;
        btn.textContent = "Record video";
        btn.setAttribute("aria-pressed", "false");
        download(blob, fileStem() + ".webm");
        return;
      }
      try {
        record();
        btn.textContent = "Stop and save video";
        btn.setAttribute("aria-pressed", "true");
        P.showStatus("Recording the canvas: press the button again to stop.", 4000);
      } catch (e) {
        P.showError(`Could not record: ${e.message}`);
      }
    });
  }

  window.gossipscopeExport = {
    png,
    csv: () => new Blob([csvText()], { type: "text/csv" }),
    csvText,
    rounds,
    record,
    recording: () => recorder !== null,
  };
  P.onReadyHooks.push(bind);
})();
