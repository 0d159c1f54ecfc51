// gossipscope page: boots the wasm, wires the HTML controls to the JS API
// (window.gossipscope, see docs/jsapi.md), keeps the scenario in the URL,
// loads recordings and, when the server has one, the live lab.
//
// The wasm owns all state; this file only asks it and shows the answers.
// window.gossipscopePage exposes the page's own facts (timings, errors) for
// the browser tests and the page benchmark.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const body = document.body;

  // Page-level URL keys: the page handles them; the rest is the scenario.
  const PAGE_KEYS = ["replay", "live", "projector", "speed", "panel"];
  const SPEED_MIN = 0.05;
  const SPEED_MAX = 50;
  const MAX_RECORDING_BYTES = 256 << 20;

  const page = (window.gossipscopePage = {
    timings: { start: 0, fetched: 0, ready: 0, firstFrame: 0 },
    insets: { top: 0, right: 0, bottom: 0, left: 0 }, // CSS px the HTML covers
    errors: [],
    ready: false,
    compare: [],
  });

  let gs = null; // window.gossipscope once the wasm is ready
  let scrubbing = false;
  let lastScenario = null;
  let lastNarration = null;
  let lastStateError = "";
  let replayURL = null; // set while playing a recording fetched from ?replay=
  let lastSimQuery = ""; // to return to after live mode
  let live = null;
  let compareRun = null;

  // ---- messages ----

  function showError(text) {
    page.errors.push(text);
    $("error-text").textContent = text;
    $("error").hidden = false;
  }
  function clearError() {
    $("error").hidden = true;
  }
  let statusTimer = 0;
  function showStatus(text, ms) {
    $("status").textContent = text;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { $("status").textContent = ""; }, ms || 2500);
  }

  // call runs one JS API function and never throws: a missing function, an
  // exception from a stopped Go program and {ok:false} all become an error
  // message on the page, and the result comes back as {ok, error, ...}.
  function call(name, ...args) {
    if (!gs || typeof gs[name] !== "function") {
      const r = { ok: false, error: `the simulator has no ${name}()` };
      showError(r.error);
      return r;
    }
    let r;
    try {
      r = gs[name](...args);
    } catch (e) {
      r = { ok: false, error: `${name}: ${e && e.message ? e.message : e}` };
    }
    if (r && r.ok === false) showError(r.error || `${name} failed`);
    return r && typeof r === "object" ? r : { ok: true, value: r };
  }
  function state() {
    try {
      return gs && gs.state ? gs.state() : null;
    } catch (e) {
      return null;
    }
  }

  // ---- boot ----

  async function boot() {
    page.timings.start = performance.now();
    if (location.protocol === "file:") {
      return bootFailed("Browsers do not run WebAssembly from file:// pages. Serve this folder, e.g. `python3 -m http.server` in it, or run `make run`.");
    }
    if (typeof window.Go !== "function") {
      return bootFailed("web/wasm_exec.js is missing. Build the page with `make wasm` (or `make web` for a static copy).");
    }
    const go = new window.Go();
    let resp;
    try {
      resp = await fetch("web/gossipscope.wasm");
    } catch (e) {
      return bootFailed(`Could not fetch web/gossipscope.wasm: ${e.message}`);
    }
    if (!resp.ok) {
      return bootFailed(`web/gossipscope.wasm: HTTP ${resp.status}. Build it with \`make wasm\`.`);
    }
    let instance;
    try {
      const streaming = WebAssembly.instantiateStreaming &&
        (resp.headers.get("Content-Type") || "").startsWith("application/wasm");
      if (streaming) {
        instance = (await WebAssembly.instantiateStreaming(resp, go.importObject)).instance;
      } else { // static hosts that serve .wasm with another type
        instance = (await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject)).instance;
      }
    } catch (e) {
      return bootFailed(`The simulator could not start: ${e.message}`);
    }
    page.timings.fetched = performance.now();
    $("boot-text").textContent = "Starting…";
    window.addEventListener("gossipscope-ready", onReady, { once: true });
    go.run(instance).then(
      () => { if (page.ready) showError("The simulator stopped. Reload the page to start it again."); },
      (e) => showError(`The simulator crashed: ${e && e.message ? e.message : e}. Reload the page.`),
    );
    if (window.gossipscope) onReady(); // ready was dispatched synchronously
    setTimeout(() => {
      if (!page.ready) bootFailed("The simulator did not start within 30 s.");
    }, 30000);
  }

  function bootFailed(text) {
    page.errors.push(text);
    body.classList.add("boot-failed");
    $("boot-text").textContent = text;
  }

  function onReady() {
    if (page.ready) return;
    gs = window.gossipscope;
    if (!gs) return;
    page.ready = true;
    page.timings.ready = performance.now();
    gs.onCommand = (json) => {
      if (!live || !live.open) {
        showError("Not connected to the live lab: the command was not sent.");
        return;
      }
      try {
        live.sendRaw(json);
        logLive(`→ ${describeRaw(json)}`, "");
      } catch (e) {
        showError(e.message);
      }
    };
    // The page shows the narration in HTML (large, screen-reader friendly).
    if (typeof gs.setOverlay === "function") callQuiet("setOverlay", { narration: false });
    buildPresets();
    bindControls();
    applyURL();
    updateInsets();
    window.addEventListener("resize", () => updateInsets(false));
    body.classList.remove("booting");
    requestAnimationFrame(frameLoop);
    requestAnimationFrame(watchFirstFrame);
    GossipLive.probe(1500).then(liveAvailable);
  }

  // watchFirstFrame notes when the wasm has drawn its first frame (its Draw
  // time becomes known), for the page benchmark's time to first frame.
  function watchFirstFrame() {
    const st = state();
    if (st && (st.drawMs > 0 || st.fps > 0)) {
      page.timings.firstFrame = performance.now();
      return;
    }
    requestAnimationFrame(watchFirstFrame);
  }

  // ---- URL ----

  function splitQuery(search) {
    const all = new URLSearchParams(search);
    const pageKeys = {};
    const scenario = new URLSearchParams();
    for (const [k, v] of all) {
      if (PAGE_KEYS.includes(k)) pageKeys[k] = v;
      else scenario.append(k, v);
    }
    return { pageKeys, scenario: scenario.toString() };
  }

  function applyURL() {
    const { pageKeys, scenario } = splitQuery(location.search);
    if (pageKeys.projector === "1") setProjector(true);
    // The panel starts open where there is room for it beside the scene.
    if (pageKeys.panel === "0" || (pageKeys.panel !== "1" && innerWidth < 1200)) setPanel(false);
    if (pageKeys.replay) {
      loadReplayURL(pageKeys.replay);
    } else if (scenario) {
      const r = call("load", scenario);
      if (r.ok === false) showError(`This link's scenario does not work: ${r.error}. Showing the default instead.`);
    }
    if (pageKeys.speed) setSpeed(Number(pageKeys.speed));
    fillForm();
    if (!pageKeys.replay) call("play");
    if (pageKeys.live === "1") connectLive();
    syncURL(true);
  }

  // syncURL writes the scenario into the address bar so that the link
  // reproduces exactly this animation (faults included).
  function syncURL(force) {
    if (!gs) return;
    let scen = "";
    try {
      scen = String(gs.scenario());
    } catch (e) {
      return;
    }
    const changed = scen !== lastScenario;
    lastScenario = scen;
    const st = state();
    const q = new URLSearchParams();
    if (live && live.wanted) {
      q.set("live", "1");
    } else if (replayURL && st && st.source !== "sim") {
      q.set("replay", replayURL);
    } else if (!st || st.source === "sim" || !st.source) {
      for (const [k, v] of new URLSearchParams(scen)) q.append(k, v);
      lastSimQuery = scen;
    }
    const speed = st ? Number(st.speed) : 1;
    if (speed && Math.abs(speed - 1) > 1e-9) q.set("speed", String(+speed.toFixed(3)));
    if (body.classList.contains("projector")) q.set("projector", "1");
    const hidden = body.classList.contains("panel-hidden");
    if (hidden !== (innerWidth < 1200)) q.set("panel", hidden ? "0" : "1");
    const search = q.toString();
    const url = location.pathname + (search ? "?" + search : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) {
      history.replaceState(null, "", url);
    }
    if (changed || force) fillForm();
  }

  // ---- the scenario form ----

  function fillForm() {
    if (!gs) return;
    const form = $("params");
    if (form.contains(document.activeElement) && document.activeElement.tagName !== "BUTTON") return; // someone is typing
    let q;
    try {
      q = new URLSearchParams(String(gs.scenario()));
    } catch (e) {
      return;
    }
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") {
        el.checked = q.has(el.name) ? q.get(el.name) === "true" : el.defaultChecked;
      } else if (el.tagName === "SELECT") {
        const def = [...el.options].find((o) => o.defaultSelected) || el.options[0];
        el.value = q.has(el.name) ? q.get(el.name) : def.value;
        if (el.value === "" && def) el.value = def.value; // a value the page does not list
      } else {
        el.value = q.has(el.name) ? q.get(el.name) : el.defaultValue;
      }
    }
    modeChanged();
  }

  // PULL and PUSH-PULL are periodic anti-entropy: they never stop, and the
  // engine takes only stop=never for them.
  function modeChanged() {
    const push = $("p-mode").value === "push";
    const stop = $("p-stop");
    if (!push) stop.value = "never";
    stop.disabled = !push;
  }

  function formQuery(base) {
    const q = new URLSearchParams(base || "");
    for (const el of $("params").elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") q.set(el.name, String(el.checked));
      else if (el.value === "") q.delete(el.name);
      else q.set(el.name, el.value);
    }
    return q.toString();
  }

  function runForm(ev) {
    ev.preventDefault();
    stopCompare();
    if (!$("params").reportValidity()) return;
    leaveLive();
    let cur = "";
    try { cur = String(gs.scenario()); } catch (e) { /* start from the form alone */ }
    let r = callQuiet("load", formQuery(cur));
    if (r.ok === false) r = callQuiet("load", formQuery("")); // scheduled faults may not fit the new N
    if (r.ok === false) {
      showError(`That scenario does not work: ${r.error}`);
      return;
    }
    clearError();
    replayURL = null;
    call("play");
    syncURL(true);
  }

  // callQuiet is call without the error message, for tries with a fallback.
  function callQuiet(name, ...args) {
    try {
      const r = gs[name](...args);
      return r && typeof r === "object" ? r : { ok: true };
    } catch (e) {
      return { ok: false, error: String(e && e.message ? e.message : e) };
    }
  }

  // ---- playback ----

  // The speed slider is logarithmic: slow motion and fast forward get the
  // same travel.
  function sliderToSpeed(v) {
    return SPEED_MIN * Math.pow(SPEED_MAX / SPEED_MIN, v / 1000);
  }
  function speedToSlider(s) {
    return Math.round(1000 * Math.log(s / SPEED_MIN) / Math.log(SPEED_MAX / SPEED_MIN));
  }
  function fmtSpeed(s) {
    return (s >= 10 ? s.toFixed(0) : s >= 1 ? s.toFixed(1).replace(/\.0$/, "") : s.toFixed(2)) + "×";
  }
  function setSpeed(s) {
    if (!isFinite(s) || s <= 0) return;
    s = Math.min(SPEED_MAX, Math.max(SPEED_MIN, s));
    call("setSpeed", s);
    $("speed").value = speedToSlider(s);
    $("speed-out").textContent = fmtSpeed(s);
    $("speed").setAttribute("aria-valuetext", fmtSpeed(s) + (Math.abs(s - 1) < 1e-9 ? " real time" : ""));
  }
  function fmtTime(ms) {
    const s = ms / 1000;
    return s >= 100 ? s.toFixed(0) + " s" : s.toFixed(1) + " s";
  }

  function stepBack(fraction) {
    const st = state();
    if (!st) return;
    const period = Number(new URLSearchParams(lastScenario || "").get("period")) || 1000;
    call("pause");
    call("seek", Math.max(0, st.t - period * fraction));
  }

  function setProjector(on) {
    body.classList.toggle("projector", on);
    $("projector").setAttribute("aria-pressed", String(on));
    if (gs) call("setProjector", on);
    updateInsets();
  }
  function setPanel(on) {
    body.classList.toggle("panel-hidden", !on);
    $("panel-toggle").setAttribute("aria-expanded", String(on));
    updateInsets();
  }

  // updateInsets tells the scene which screen margins the HTML covers (CSS
  // px), so that it keeps nodes and its chart clear of them: the top bar,
  // the side panel when open, and a band for the narration line.
  let narrationReserve = 0;
  function updateInsets(keepReserve) {
    const bar = $("bar").getBoundingClientRect();
    document.documentElement.style.setProperty("--bar-h", Math.ceil(bar.height) + "px");
    const panelOpen = !body.classList.contains("panel-hidden");
    // The narration band grows to the tallest line seen since the layout
    // last changed, never shrinks meanwhile: the scene does not jump each
    // time a sentence wraps differently.
    const n = $("narration");
    const fs = parseFloat(getComputedStyle(n).fontSize) || 20;
    if (!keepReserve) narrationReserve = 0;
    const seen = n.textContent ? innerHeight - n.getBoundingClientRect().top + 8 : 0;
    narrationReserve = Math.max(narrationReserve, Math.ceil(fs * 2.5 + 24), Math.ceil(seen));
    const ins = {
      top: Math.ceil(bar.bottom),
      right: panelOpen ? Math.ceil($("panel").getBoundingClientRect().width) : 0,
      bottom: narrationReserve,
      left: 0,
    };
    const old = page.insets;
    if (old.top === ins.top && old.right === ins.right && old.bottom === ins.bottom && old.left === ins.left) return;
    page.insets = ins;
    if (gs && typeof gs.setInsets === "function") {
      try { gs.setInsets(ins.top, ins.right, ins.bottom, ins.left); } catch (e) { /* older wasm */ }
    }
  }

  // ---- the periodic refresh ----

  // frameLoop refreshes the HTML with each animation frame, in step with
  // the canvas (ebiten draws in requestAnimationFrame too), and at least
  // every 250 ms when frames are slow or the tab is hidden.
  let lastTick = 0;
  function frameLoop(now) {
    if (now - lastTick >= 30) {
      lastTick = now;
      tick();
    }
    requestAnimationFrame(frameLoop);
  }
  setInterval(() => { if (page.ready && performance.now() - lastTick > 250) { lastTick = performance.now(); tick(); } }, 250);

  let ticks = 0;
  function tick() {
    const st = state();
    if (!st) return;
    ticks++;
    const playing = !!st.playing;
    $("play-icon").textContent = playing ? "❚❚" : "▶";
    $("play").setAttribute("aria-label", playing ? "Pause" : "Play");
    const dur = Math.max(Number(st.duration) || 0, Number(st.t) || 0, 1);
    const tl = $("timeline");
    if (!scrubbing) {
      tl.max = String(Math.ceil(dur));
      tl.value = String(Math.round(st.t || 0));
    }
    const round = st.round ? `, round ${st.round}` : "";
    $("time-out").textContent = `${fmtTime(st.t || 0)}${round}`;
    tl.setAttribute("aria-valuetext", `${fmtTime(st.t || 0)} of ${fmtTime(dur)}${round}`);
    const src = st.source || "sim";
    if ($("source-badge").textContent !== src) $("source-badge").textContent = src;
    const narr = st.narration || "";
    if (narr !== lastNarration) {
      lastNarration = narr;
      const n = $("narration");
      n.textContent = "";
      if (narr) {
        const span = document.createElement("span");
        span.textContent = narr;
        n.appendChild(span);
      }
      updateInsets(true);
    }
    // The wasm's own errors, unless the page already said the same thing.
    if (st.error && st.error !== lastStateError && !($("error").hidden === false && $("error-text").textContent.includes(st.error))) {
      showError(st.error);
    }
    lastStateError = st.error || "";
    const sp = Number(st.speed) || 1;
    if (document.activeElement !== $("speed") && $("speed-out").textContent !== fmtSpeed(sp)) {
      $("speed").value = speedToSlider(sp);
      $("speed-out").textContent = fmtSpeed(sp);
    }
    if (compareRun) compareTick(st);
    if (ticks % 15 === 0) syncURL(false);
  }

  // ---- presets ----

  function buildPresets() {
    const box = $("presets");
    for (const p of window.gossipscopePresets || []) {
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
  }

  function runPreset(p) {
    stopCompare();
    clearError();
    if (p.live) return runLivePreset(p);
    leaveLive();
    replayURL = null;
    if (p.sequence) return startCompare(p);
    if (call("load", p.query).ok === false) return;
    setSpeed(p.speed || 1);
    call("play");
    fillForm();
    syncURL(true);
    showStatus(p.about || p.label, 5000);
  }

  function startCompare(p) {
    compareRun = { preset: p, index: -1, rows: [], waitUntil: 0 };
    page.compare = compareRun.rows;
    $("compare").hidden = false;
    $("compare-rows").textContent = "";
    nextCompare();
  }
  function nextCompare() {
    const c = compareRun;
    c.index++;
    if (c.index >= c.preset.sequence.length) {
      showStatus("Compared: PUSH-PULL converges in the fewest rounds, but sends the most messages.", 8000);
      compareRun = null;
      return;
    }
    const step = c.preset.sequence[c.index];
    if (call("load", step.query).ok === false) {
      compareRun = null;
      return;
    }
    const row = { mode: step.mode, rounds: null, messages: 0, redundant: 0, done: false };
    c.rows.push(row);
    const tr = document.createElement("tr");
    tr.className = "running";
    tr.innerHTML = "<td></td><td></td><td></td><td></td>";
    tr.cells[0].textContent = step.mode.toUpperCase().replace("PUSHPULL", "PUSH-PULL");
    $("compare-rows").appendChild(tr);
    row.tr = tr;
    setSpeed(c.preset.speed || 1);
    call("play");
    fillForm();
    syncURL(true);
    showStatus(`${tr.cells[0].textContent}: ${c.index + 1} of ${c.preset.sequence.length}`, 3000);
  }
  // compareTick records each mode's figures at the moment every live node
  // knows the news (PULL and PUSH-PULL keep exchanging digests after that,
  // so "done" would come much later), then moves on after a pause.
  function compareTick(st) {
    const c = compareRun;
    const row = c.rows[c.index];
    if (!row) return;
    if (!row.done) {
      row.messages = st.messages;
      row.redundant = st.redundant;
      if (st.nodes > 0 && st.informed >= (st.alive || st.nodes)) {
        row.rounds = st.round;
        row.done = true;
        row.tr.className = "";
        c.waitUntil = performance.now() + 2000; // a moment to look at the result
      }
    }
    row.tr.cells[1].textContent = row.rounds === null ? "…" : String(row.rounds);
    row.tr.cells[2].textContent = String(row.messages);
    row.tr.cells[3].textContent = String(row.redundant);
    if (row.done && performance.now() >= c.waitUntil) nextCompare();
  }
  function stopCompare() {
    if (!compareRun) return;
    const row = compareRun.rows[compareRun.index];
    if (row && row.tr) row.tr.className = "";
    compareRun = null;
  }

  // ---- replay ----

  function loadRecordingText(text, name) {
    stopCompare();
    leaveLive();
    const r = call("loadRecording", text);
    const out = $("replay-result");
    if (r.ok === false) {
      out.className = "result bad";
      out.textContent = `${name}: ${r.error || "not a recording"}`;
      $("error-text").textContent = `Could not replay ${name}: ${r.error || "not a recording"}. The page keeps the previous animation.`;
      return false;
    }
    const skipped = r.skipped ? `, ${r.skipped} skipped` : "";
    out.className = r.error ? "result bad" : "result good";
    out.textContent = `${name}: ${r.events} events${skipped}${r.error ? " (" + r.error + ")" : ""}`;
    if (r.error) showError(`${name}: ${r.error}`);
    else clearError();
    call("seek", 0);
    call("play");
    syncURL(true);
    return true;
  }

  function loadReplayFile(file) {
    if (!file) return;
    if (file.size > MAX_RECORDING_BYTES) {
      showError(`${file.name} is ${(file.size / 1048576).toFixed(0)} MB; recordings up to ${MAX_RECORDING_BYTES >> 20} MB can be replayed here.`);
      return;
    }
    replayURL = null;
    file.text().then(
      (text) => loadRecordingText(text, file.name),
      (e) => showError(`Could not read ${file.name}: ${e.message}`),
    );
  }

  async function loadReplayURL(url) {
    let text;
    try {
      const resp = await fetch(url);
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      text = await resp.text();
    } catch (e) {
      showError(`Could not fetch the recording ${url}: ${e.message}. Showing a simulation instead.`);
      call("play");
      return;
    }
    replayURL = url;
    if (!loadRecordingText(text, url.split("/").pop() || url)) replayURL = null;
  }

  function bindDrop() {
    let depth = 0;
    const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
    window.addEventListener("dragenter", (e) => {
      if (!hasFiles(e)) return;
      depth++;
      $("dropzone").hidden = false;
    });
    window.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) $("dropzone").hidden = true;
    });
    window.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
    window.addEventListener("drop", (e) => {
      depth = 0;
      $("dropzone").hidden = true;
      if (!hasFiles(e)) return;
      e.preventDefault();
      loadReplayFile(e.dataTransfer.files[0]);
    });
  }

  // ---- live lab ----

  function liveAvailable(ok) {
    page.liveAvailable = ok;
    $("live-availability").textContent = ok
      ? "A live lab cluster is running on this server: real gossip nodes speaking Alertmanager's protocol."
      : "No live server here (a static copy of the page, or the server runs without --lab). Simulation and replay work as usual.";
    $("live-controls").hidden = !ok;
    for (const b of document.querySelectorAll("#presets button.live")) b.disabled = !ok;
  }

  function connectLive() {
    if (!live) {
      live = new GossipLive({
        onText: (text) => {
          const r = callQuiet("feed", text);
          if (r.ok === false) logLive(`✗ ${r.error}`, "bad");
        },
        onReply: (rep, cmd) => {
          const what = cmd ? describe(cmd) : rep.id;
          if (rep.error) logLive(`✗ ${what}: ${rep.error}`, "bad");
          else logLive(`✓ ${what}${rep.text ? ": " + rep.text : ""}`, "good");
        },
        onStatus: (st, detail) => {
          const badge = $("live-status");
          badge.textContent = st;
          badge.className = "badge" + (st === "open" ? " on" : st === "closed" && live.wanted ? " bad" : "");
          $("live-connect").setAttribute("aria-pressed", String(st !== "closed"));
          $("live-connect").textContent = st === "closed" ? "Connect" : "Disconnect";
          if (st === "open") {
            call("live", true);
            call("play");
            logLive(`connected to ${detail}`, "good");
            if (live.onOpen) { const f = live.onOpen; live.onOpen = null; f(); }
          } else if (st === "closed" && live.wanted) {
            logLive(`disconnected: ${detail}`, "bad");
            showError(`Live lab: ${detail}. Press Connect to try again.`);
            live.wanted = false;
          }
          syncURL(true);
        },
        onNodes: (names) => {
          const sel = $("live-node");
          const cur = sel.value;
          sel.textContent = "";
          for (const n of names) {
            const o = document.createElement("option");
            o.value = o.textContent = n;
            sel.appendChild(o);
          }
          if (names.includes(cur)) sel.value = cur;
        },
      });
    }
    stopCompare();
    replayURL = null;
    live.connect();
  }

  function leaveLive() {
    if (!live || !live.wanted) return;
    live.disconnect();
    callQuiet("live", false);
    if (lastSimQuery) callQuiet("load", lastSimQuery);
  }

  function liveNode() {
    const st = state();
    const sel = st && st.selected && st.selected.name;
    return sel && live && live.nodes.has(sel) ? sel : $("live-node").value;
  }

  function liveSend(cmd) {
    if (!live || !live.open) {
      showError("Connect to the live lab first.");
      return;
    }
    try {
      live.send(cmd);
      logLive(`→ ${describe(cmd)}`, "");
    } catch (e) {
      showError(e.message);
    }
  }

  function runLivePreset(p) {
    const go = () => {
      const cmd = Object.assign({}, p.command);
      if (cmd.cmd === "silence" && !cmd.node) cmd.node = liveNode() || live.halves()[0][0];
      if (!cmd.node && cmd.cmd !== "alert") return showError("No live node to send to yet.");
      liveSend(cmd);
      showStatus(p.about, 8000);
    };
    if (live && live.open) return go();
    connectLive();
    live.onOpen = () => setTimeout(go, 500); // let the snapshot name the nodes first
  }

  function describe(c) {
    const on = c.node ? ` on ${c.node}` : c.cmd === "alert" ? " to every node" : "";
    const extra = c.cmd === "loss" ? ` ${c.loss}` : c.groups ? ` into ${c.groups.map((g) => g.length).join(" + ")} nodes` : "";
    return `${c.cmd}${on}${extra}`;
  }
  function describeRaw(json) {
    try { return describe(JSON.parse(json)); } catch (e) { return json; }
  }
  function logLive(text, cls) {
    const li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    const log = $("live-log");
    log.prepend(li);
    while (log.children.length > 50) log.lastChild.remove();
  }

  // ---- canvas clicks: crash / restart mode ----

  // The wasm selects the node under a click and tells onSelect. In
  // "crash" mode, or with shift held, the page then crashes or restarts it.
  // onSelect runs inside the wasm's frame update, so the crash call waits
  // for the next task rather than re-entering the wasm.
  let shiftClick = false;
  function bindCanvasClicks() {
    document.addEventListener("pointerdown", (e) => {
      if (e.target instanceof HTMLCanvasElement) shiftClick = e.shiftKey;
    }, true);
    gs.onSelect = (name) => {
      const mode = document.querySelector('input[name="click"]:checked').value;
      const crashIt = mode === "crash" || shiftClick;
      shiftClick = false;
      if (!name || !crashIt) return;
      setTimeout(() => {
        const st = state();
        const sel = st && st.selected;
        const dead = sel && sel.name === name && (sel.status === "dead" || sel.crashed === true);
        call(dead ? "restartNode" : "crash", name);
        syncURL(true);
      }, 0);
    };
  }

  // ---- keyboard ----

  function bindKeys() {
    window.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      const tag = t && t.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (t && t.isContentEditable)) return;
      if ($("help").open && e.key !== "?") return;
      if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return; // the button's own action
      let handled = true;
      switch (e.key) {
        case " ": call("toggle"); break;
        case "ArrowRight": call(e.shiftKey ? "stepMessage" : "stepRound"); break;
        case "ArrowLeft": stepBack(e.shiftKey ? 0.1 : 1); break;
        case "ArrowUp": setSpeed((state() || { speed: 1 }).speed * 2); syncURL(true); break;
        case "ArrowDown": setSpeed((state() || { speed: 1 }).speed / 2); syncURL(true); break;
        case "r": case "R": stopCompare(); call("restart"); break;
        case "p": case "P": setProjector(!body.classList.contains("projector")); syncURL(true); break;
        case "h": case "H": setPanel(body.classList.contains("panel-hidden")); syncURL(true); break;
        case "?": if ($("help").open) $("help").close(); else $("help").showModal(); break;
        case "Escape": call("select", null); clearError(); break;
        default: handled = false;
      }
      if (handled) e.preventDefault();
    });
  }

  // ---- wiring ----

  function bindControls() {
    $("play").addEventListener("click", () => call("toggle"));
    $("step-round").addEventListener("click", () => call("stepRound"));
    $("step-msg").addEventListener("click", () => call("stepMessage"));
    $("restart").addEventListener("click", () => { stopCompare(); call("restart"); });
    $("speed").addEventListener("input", (e) => setSpeed(sliderToSpeed(Number(e.target.value))));
    $("speed").addEventListener("change", () => syncURL(true));
    const tl = $("timeline");
    tl.addEventListener("pointerdown", () => { scrubbing = true; });
    tl.addEventListener("input", () => call("seek", Number(tl.value)));
    const endScrub = () => { scrubbing = false; };
    tl.addEventListener("pointerup", endScrub);
    tl.addEventListener("change", endScrub);
    tl.addEventListener("blur", endScrub);
    $("projector").addEventListener("click", () => { setProjector(!body.classList.contains("projector")); syncURL(true); });
    $("panel-toggle").addEventListener("click", () => { setPanel(body.classList.contains("panel-hidden")); syncURL(true); });
    $("help-open").addEventListener("click", () => $("help").showModal());
    $("error-close").addEventListener("click", clearError);

    $("params").addEventListener("submit", runForm);
    $("p-mode").addEventListener("change", modeChanged);
    $("p-seed-new").addEventListener("click", () => {
      $("p-seed").value = String(Math.floor(Math.random() * 1e9));
    });

    $("f-partition").addEventListener("click", () => { call("partition"); syncURL(true); });
    $("f-heal").addEventListener("click", () => { call("heal"); syncURL(true); });
    $("f-join").addEventListener("click", () => { call("join", Number($("f-join-count").value) || 1); syncURL(true); });
    $("f-setloss").addEventListener("click", () => {
      const p = Number($("f-loss").value);
      if (!(p >= 0 && p <= 1)) return showError("Loss is a probability between 0 and 1.");
      call("setLoss", p);
      syncURL(true);
    });
    $("f-update").addEventListener("click", () => {
      const st = state();
      call("update", (st && st.selected && st.selected.name) || "n0");
      syncURL(true);
    });

    $("replay-file").addEventListener("change", (e) => {
      loadReplayFile(e.target.files[0]);
      e.target.value = ""; // the same file can be chosen again
    });

    $("live-connect").addEventListener("click", () => {
      if (live && live.wanted) leaveLive();
      else connectLive();
    });
    $("live-silence").addEventListener("click", () => liveSend({ cmd: "silence", node: liveNode(), text: "created from gossipscope" }));
    $("live-alert").addEventListener("click", () => liveSend({ cmd: "alert", text: "GossipscopeDemo" }));
    $("live-crash").addEventListener("click", () => liveSend({ cmd: "crash", node: liveNode() }));
    $("live-restart").addEventListener("click", () => liveSend({ cmd: "restart", node: liveNode() }));
    $("live-partition").addEventListener("click", () => liveSend({ cmd: "partition", groups: live ? live.halves() : [] }));
    $("live-heal").addEventListener("click", () => liveSend({ cmd: "heal" }));
    $("live-setloss").addEventListener("click", () => {
      const p = Number($("live-loss").value);
      if (!(p >= 0 && p <= 1)) return showError("Loss is a probability between 0 and 1.");
      liveSend({ cmd: "loss", loss: p });
    });

    bindDrop();
    bindKeys();
    bindCanvasClicks();
  }

  boot();
})();
