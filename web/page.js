// gossipscope page, core: boots the wasm, talks to its JS API
// (window.gossipscope, docs/jsapi.md), keeps the scenario in the URL and the
// HTML in step with the frames. The wasm owns all state; the page only asks
// it and shows the answers.
//
// window.gossipscopePage (P below) is the page's own namespace: presets.js,
// replay.js, live.js and app.js add their parts to it, and the browser tests
// and the page benchmark read its facts (timings, errors, insets).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const body = document.body;

  // Page-level URL keys: the page handles them; the rest is the scenario.
  const PAGE_KEYS = ["replay", "live", "memberlist", "awareness", "projector", "speed", "panel", "lesson", "variant", "resolution"];
  const SPEED_MIN = 0.05;
  const SPEED_MAX = 50;
  // Below this width the panel starts hidden: the scene needs the room.
  const WIDE = 1200;
  // Up to this width an open panel lies over the scene (style.css's
  // narrow screens): the canvas keeps the window's width under it.
  const NARROW = 900;

  const P = (window.gossipscopePage = {
    $,
    timings: { start: 0, fetched: 0, ready: 0, firstFrame: 0 },
    insets: { top: 0, right: 0, bottom: 0, left: 0 }, // CSS px the HTML covers
    errors: [],
    ready: false,
    compare: [],
    gs: null, // window.gossipscope once the wasm is ready
    replayURL: null, // set while playing a recording fetched from ?replay=
    lastSimQuery: "", // the simulation to return to after live mode
    live: null, // the GossipLive connection, once asked for
    // Filled in by the other files; harmless no-ops until then.
    stopCompare() {},
    compareTick() {},
    leaveLive() {},
    connectLive() {},
    loadReplayURL() {},
    onReadyHooks: [],
    onTick: [], // f(state) on every refresh of the HTML (predict.js)
  });

  let scrubbing = false;
  let lastScenario = null;
  let lastNarration = null;
  let lastStateError = "";

  // ---- messages ----

  P.showError = (text) => {
    P.errors.push(text);
    $("error-text").textContent = text;
    $("error").hidden = false;
    P.updateInsets(true);
  };
  P.clearError = () => { $("error").hidden = true; };
  let statusTimer = 0;
  P.showStatus = (text, ms) => {
    $("status").textContent = text;
    placeOverlays();
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { $("status").textContent = ""; placeOverlays(); }, ms || 2500);
  };
  // placeOverlays puts the status line and a guided lesson's card
  // (lessons.js) where they cover nothing of the canvas. Over the canvas
  // there is no free room: at 1280x720 the ring's names and the counters
  // reach up to the header. With the panel open both go to its top, where
  // the buttons that start them are (the status line stays in sight as the
  // panel scrolls). With the panel closed the status line stands in for
  // the narration in the band the scene keeps free for it, and the lesson
  // card keeps to the left, the scene told to keep clear of it
  // (updateInsets).
  function placeOverlays() {
    const panel = $("panel");
    const inPanel = !body.classList.contains("panel-hidden");
    const status = $("status"), lesson = $("lesson");
    for (const el of [lesson, status]) { // prepended: the status line ends on top
      if (!el) continue;
      if (inPanel && el.parentNode !== panel) panel.prepend(el);
      else if (!inPanel && el.parentNode !== body) body.appendChild(el);
    }
    if (inPanel && status.nextElementSibling !== lesson && lesson) status.after(lesson);
    body.classList.toggle("status-in-band", !inPanel && status.textContent !== "");
    // A lesson just started from a card further down: show its card.
    const lessonShown = !!lesson && !lesson.hidden;
    if (lessonShown && !lessonWasShown && inPanel) panel.scrollTop = 0;
    lessonWasShown = lessonShown;
  }
  let lessonWasShown = false;

  // call runs one JS API function and never throws: a missing function, an
  // exception from a stopped Go program and {ok:false} all become an error
  // message on the page, and the result comes back as {ok, error, ...}.
  P.call = (name, ...args) => {
    const r = P.callQuiet(name, ...args);
    if (r.ok === false) P.showError(r.error || `${name} failed`);
    return r;
  };
  // callQuiet is call without the message, for tries with a fallback.
  P.callQuiet = (name, ...args) => {
    const gs = P.gs;
    if (!gs || typeof gs[name] !== "function") return { ok: false, error: `the simulator has no ${name}()` };
    try {
      const r = gs[name](...args);
      lastChange = performance.now(); // the canvas may change: follow it
      P.kick();
      return r && typeof r === "object" ? r : { ok: true, value: r };
    } catch (e) {
      return { ok: false, error: `${name}: ${e && e.message ? e.message : e}` };
    }
  };
  P.state = () => {
    try {
      return P.gs ? P.gs.state({ geometry: false }) : null; // the page reads no geometry
    } catch (e) {
      return null;
    }
  };
  // frames is how many pictures the canvas has drawn (cheap to ask).
  P.frames = () => {
    try {
      return P.gs && P.gs.frames ? P.gs.frames() : 0;
    } catch (e) {
      return 0;
    }
  };
  P.scenario = () => {
    try {
      return P.gs ? String(P.gs.scenario()) : "";
    } catch (e) {
      return "";
    }
  };

  // ---- boot ----

  let bootTimer = 0;
  P.boot = async () => {
    P.timings.start = performance.now();
    if (location.protocol === "file:") {
      return bootFailed("Browsers do not run WebAssembly from file:// pages. Serve this folder, e.g. `python3 -m http.server` in it, or run `make run`.");
    }
    if (typeof window.Go !== "function") {
      return bootFailed("web/wasm_exec.js is missing. Build the page with `make wasm` (or `make web` for a static copy).");
    }
    const go = new window.Go();
    // index.html started the download and compilation (window.gossipscopeWasm)
    // before the page's scripts; a page without that line fetches here.
    const got = await (window.gossipscopeWasm || fetch("web/gossipscope.wasm").then((resp) => ({ resp }), (error) => ({ error, fetchFailed: true })));
    if (got.fetchFailed) return bootFailed(`Could not fetch web/gossipscope.wasm: ${got.error.message}`);
    const resp = got.resp;
    if (!resp.ok) return bootFailed(`web/gossipscope.wasm: HTTP ${resp.status}. Build it with \`make wasm\`.`);
    let instance;
    try {
      if (got.error) throw got.error;
      // Static hosts that serve .wasm with another type than
      // application/wasm cannot compile it while it downloads.
      const module = got.module || await WebAssembly.compile(await resp.arrayBuffer());
      instance = await WebAssembly.instantiate(module, go.importObject);
      performance.mark("gs:instantiated");
    } catch (e) {
      return bootFailed(`The simulator could not start: ${e.message}`);
    }
    P.timings.fetched = performance.now();
    $("boot-text").textContent = "Starting…";
    window.addEventListener("gossipscope-ready", onReady, { once: true });
    // Cleared once ready: an idle page runs no timer of its own.
    bootTimer = setTimeout(() => { if (!P.ready) bootFailed("The simulator did not start within 30 s."); }, 30000);
    go.run(instance).then(
      () => { if (P.ready) P.showError("The simulator stopped. Reload the page to start it again."); },
      (e) => P.showError(`The simulator crashed: ${e && e.message ? e.message : e}. Reload the page.`),
    );
    if (window.gossipscope) onReady(); // ready was dispatched synchronously
  };

  function bootFailed(text) {
    P.errors.push(text);
    body.classList.add("boot-failed");
    $("boot-text").textContent = text;
  }

  function onReady() {
    if (P.ready || !window.gossipscope) return;
    P.gs = window.gossipscope;
    P.ready = true;
    P.timings.ready = performance.now();
    performance.mark("gs:ready");
    clearTimeout(bootTimer);
    // The page shows the narration in HTML (large, screen-reader friendly).
    if (typeof P.gs.setOverlay === "function") P.callQuiet("setOverlay", { narration: false });
    applyLimits();
    for (const f of P.onReadyHooks) f();
    applyURL();
    P.updateInsets();
    window.addEventListener("resize", () => { if (!movingCanvas) P.updateInsets(false); });
    body.classList.remove("booting");
    lastChange = performance.now();
    P.kick();
    requestAnimationFrame(watchFirstFrame);
  }

  // applyLimits gives the node fields the engine's own limits (one source:
  // the form and the setup bar refuse what the engine would refuse, and
  // nothing more).
  function applyLimits() {
    const lim = P.callQuiet("limits");
    if (!lim.nodes) return;
    for (const el of [$("p-nodes"), $("s-nodes")]) {
      if (!el) continue;
      el.min = String(lim.nodes.min);
      el.max = String(lim.nodes.max);
    }
  }

  // watchFirstFrame notes when the wasm has drawn its first frame (its Draw
  // time becomes known), for the page benchmark's time to first frame.
  function watchFirstFrame() {
    const st = P.state();
    if (st && (st.drawMs > 0 || st.fps > 0)) {
      P.timings.firstFrame = performance.now();
      performance.mark("gs:first-frame");
      return;
    }
    requestAnimationFrame(watchFirstFrame);
  }

  // ---- URL ----

  function applyURL() {
    const all = new URLSearchParams(location.search);
    const pageKeys = {};
    const scenario = new URLSearchParams();
    for (const [k, v] of all) {
      if (PAGE_KEYS.includes(k)) pageKeys[k] = v;
      else scenario.append(k, v);
    }
    if (pageKeys.projector === "1") P.setProjector(true);
    if (pageKeys.panel === "0" || (pageKeys.panel !== "1" && innerWidth < WIDE)) P.setPanel(false);
    if (pageKeys.replay) {
      P.loadReplayURL(pageKeys.replay);
    } else if (scenario.toString()) {
      const r = P.callQuiet("load", scenario.toString());
      if (r.ok === false) P.showError(`This link's scenario does not work: ${r.error}. Showing the default instead.`);
    }
    if (pageKeys.speed) P.setSpeed(Number(pageKeys.speed));
    P.fillForm();
    if (!pageKeys.replay) P.call("play");
    if (pageKeys.live === "1") P.connectLive();
    else if (pageKeys.memberlist && !pageKeys.lesson && P.startMemlab) P.startMemlab({ nodes: Number(pageKeys.memberlist), awareness: pageKeys.awareness !== "0" });
    if (pageKeys.lesson && P.startLesson) P.startLesson(pageKeys.lesson, pageKeys.variant); // web/lessons.js
    P.syncURL(true);
  }

  // syncURL writes the scenario into the address bar so that the link
  // reproduces exactly this animation (faults included), with the page's
  // own settings (speed, projector, panel) when they differ from defaults.
  P.syncURL = (force) => {
    if (!P.gs) return;
    const scen = P.scenario();
    const changed = scen !== lastScenario;
    lastScenario = scen;
    const st = P.state();
    const q = new URLSearchParams();
    if (P.live && P.live.wanted) {
      for (const [k, v] of Object.entries(P.live.urlParams())) q.set(k, v);
    } else if (P.replayURL && st && st.source !== "sim") {
      q.set("replay", P.replayURL);
    } else if (!st || st.source === "sim" || !st.source) {
      for (const [k, v] of new URLSearchParams(scen)) q.append(k, v);
      P.lastSimQuery = scen;
    }
    if (P.lessonParams) for (const [k, v] of Object.entries(P.lessonParams())) q.set(k, v);
    const speed = st ? Number(st.speed) : 1;
    if (speed && Math.abs(speed - 1) > 1e-9) q.set("speed", String(+speed.toFixed(3)));
    if (body.classList.contains("projector")) q.set("projector", "1");
    const hidden = body.classList.contains("panel-hidden");
    if (hidden !== (innerWidth < WIDE)) q.set("panel", hidden ? "0" : "1");
    if (window.gossipscopeGL && gossipscopeGL.deviceResolution) q.set("resolution", "device");
    const search = q.toString();
    const url = location.pathname + (search ? "?" + search : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
    if (changed || force) P.fillForm();
  };

  // ---- the scenario form ----

  P.fillForm = () => {
    const form = $("params");
    const active = document.activeElement;
    if (!P.gs || (form.contains(active) && active.tagName !== "BUTTON")) return; // someone is typing
    const q = new URLSearchParams(P.scenario());
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") {
        el.checked = q.has(el.name) ? q.get(el.name) === "true" : el.defaultChecked;
      } else if (el.tagName === "SELECT") {
        const def = [...el.options].find((o) => o.defaultSelected) || el.options[0];
        el.value = q.has(el.name) ? q.get(el.name) : def.value;
        if (el.value === "") el.value = def.value; // a value the page does not list
      } else {
        el.value = q.has(el.name) ? q.get(el.name) : el.defaultValue;
      }
    }
    P.modeChanged();
    fillSetup();
  };

  // PULL and PUSH-PULL are periodic anti-entropy: they never stop, and the
  // engine takes only stop=never for them.
  P.modeChanged = () => {
    const push = $("p-mode").value === "push";
    if (!push) $("p-stop").value = "never";
    $("p-stop").disabled = !push;
  };

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

  P.runForm = (ev) => {
    ev.preventDefault();
    if (!$("params").reportValidity()) return;
    P.runScenario();
  };

  // runScenario runs what the Scenario form says, on top of the scenario
  // running now (its scheduled faults kept when they fit).
  P.runScenario = () => {
    P.stopCompare();
    P.leaveLive();
    let r = P.callQuiet("load", formQuery(P.scenario()));
    if (r.ok === false) r = P.callQuiet("load", formQuery("")); // scheduled faults may not fit the new N
    if (r.ok === false) {
      P.showError(`That scenario does not work: ${r.error}`);
      return;
    }
    P.clearError();
    P.replayURL = null;
    P.call("play");
    P.syncURL(true);
  };

  // ---- the setup bar ----

  // The bar's fields (nodes, mode, fan-out) stand for the Scenario form's:
  // they take their limits and choices from them, show what the form shows,
  // and a change is written into the form and run as the form runs, so the
  // two never disagree and the URL follows either.
  const setupFields = () => [...document.querySelectorAll("#setup [data-field]")];
  P.initSetup = () => {
    for (const el of setupFields()) {
      const field = $(el.dataset.field);
      if (el.tagName === "SELECT") {
        for (const o of field.options) el.add(new Option(o.text, o.value));
      } else {
        for (const a of ["min", "max", "step", "required"]) if (field.hasAttribute(a)) el.setAttribute(a, field.getAttribute(a));
      }
      el.addEventListener("change", () => setupChanged(el, field));
    }
    fillSetup();
  };

  function fillSetup() {
    for (const el of setupFields()) {
      const v = $(el.dataset.field).value;
      // Not while someone types in it; a list's choice is always shown.
      if (el.value !== v && (document.activeElement !== el || el.tagName === "SELECT")) el.value = v;
    }
  }

  function setupChanged(el, field) {
    if (!el.checkValidity()) {
      el.reportValidity();
      return;
    }
    field.value = el.value;
    if (field.id === "p-mode") P.modeChanged();
    const bad = [...$("params").elements].find((f) => f.willValidate && !f.checkValidity());
    if (bad) {
      const label = document.querySelector(`label[for="${bad.id}"]`);
      P.showError(`The Scenario form's ${label ? label.textContent : bad.name} is not valid: ${bad.validationMessage}`);
      return;
    }
    P.runScenario();
  }

  // ---- playback ----

  // The speed slider is logarithmic: slow motion and fast forward get the
  // same travel.
  P.sliderToSpeed = (v) => SPEED_MIN * Math.pow(SPEED_MAX / SPEED_MIN, v / 1000);
  const speedToSlider = (s) => Math.round(1000 * Math.log(s / SPEED_MIN) / Math.log(SPEED_MAX / SPEED_MIN));
  const fmtSpeed = (s) => (s >= 10 ? s.toFixed(0) : s >= 1 ? s.toFixed(1).replace(/\.0$/, "") : s.toFixed(2)) + "×";
  function showSpeed(s) {
    $("speed").value = speedToSlider(s);
    $("speed-out").textContent = fmtSpeed(s);
    $("speed").setAttribute("aria-valuetext", fmtSpeed(s) + (Math.abs(s - 1) < 1e-9 ? " real time" : ""));
  }
  P.setSpeed = (s) => {
    if (!isFinite(s) || s <= 0) return;
    s = Math.min(SPEED_MAX, Math.max(SPEED_MIN, s));
    P.call("setSpeed", s);
    showSpeed(s);
  };
  const fmtTime = (ms) => (ms >= 100000 ? (ms / 1000).toFixed(0) : (ms / 1000).toFixed(1)) + " s";

  // stepBack scrubs back a fraction of one gossip period.
  P.stepBack = (fraction) => {
    const st = P.state();
    if (!st) return;
    const period = Number(st.period) || Number(new URLSearchParams(lastScenario || "").get("period")) || 1000;
    P.call("pause");
    P.call("seek", Math.max(0, st.t - period * fraction));
  };

  P.setProjector = (on) => {
    body.classList.toggle("projector", on);
    $("projector").setAttribute("aria-pressed", String(on));
    if (P.gs) P.call("setProjector", on);
    P.updateInsets();
  };
  P.setPanel = (on) => {
    body.classList.toggle("panel-hidden", !on);
    $("panel-toggle").setAttribute("aria-expanded", String(on));
    P.updateInsets();
  };

  // updateInsets tells the scene which margins of the window the HTML
  // covers (CSS px from the window's edges), so that it keeps nodes and
  // its chart clear of them: the top bar, the side panel when open, and a
  // band for the narration line (or an error standing in for it). The band
  // grows to the tallest seen since the layout last changed and does not
  // shrink meanwhile, so the scene does not jump each time a sentence
  // wraps differently.
  // It also sizes the canvas's box (placeCanvas); the wasm turns the
  // window's margins into the canvas's own.
  let narrationReserve = 0;
  P.updateInsets = (keepReserve) => {
    if (!keepReserve) fitNarration(true); // the layout changed: so may its lines
    placeOverlays();
    const bar = $("bar").getBoundingClientRect();
    const panelOpen = !body.classList.contains("panel-hidden");
    const panelW = panelOpen ? Math.ceil($("panel").getBoundingClientRect().width) : 0;
    placeCanvas(Math.ceil(bar.height), innerWidth > NARROW ? panelW : 0);
    const n = $("narration");
    const fs = parseFloat(getComputedStyle(n).fontSize) || 20;
    if (!keepReserve) narrationReserve = 0;
    let seen = n.textContent ? innerHeight - n.getBoundingClientRect().top + 8 : 0;
    if (!$("error").hidden) seen = Math.max(seen, innerHeight - $("error").getBoundingClientRect().top + 8);
    narrationReserve = Math.max(narrationReserve, Math.ceil(fs * 2.5 + 24), Math.ceil(seen));
    const ins = {
      top: Math.ceil(bar.bottom),
      right: panelW,
      bottom: narrationReserve,
      left: 0,
    };
    const lesson = $("lesson");
    if (lesson && !lesson.hidden && lesson.parentNode === body) ins.left = Math.ceil(lesson.getBoundingClientRect().right);
    const old = P.insets;
    if (old.top === ins.top && old.right === ins.right && old.bottom === ins.bottom && old.left === ins.left) return;
    P.insets = ins;
    if (P.gs && typeof P.gs.setInsets === "function") P.callQuiet("setInsets", ins.top, ins.right, ins.bottom, ins.left);
  };

  // placeCanvas makes the body, and so ebiten's canvas (100% of it), cover
  // only the part of the window the scene shows: below the bar, and left
  // of the panel where it is docked. The browser then clears, copies and
  // composites no pixels hidden under the HTML on every frame (under
  // SwiftShader at 1280x800 and 1,000 nodes, about 1.5 ms of its GPU
  // process's 17.5 a frame: paired runs in the commit that made this).
  // Every control is
  // fixed to the window, not the body, so none moves. Whole CSS px, so
  // that the canvas is never stretched by a fraction. ebiten reads the
  // canvas's size only on a resize event: the page sends one when the
  // box changed (and its own resize handler ignores it). Not before the
  // WebGL context is made: ebiten keeps the first devicePixelRatio it
  // reads, which webgl.js may lower to 1 for a software renderer as the
  // context is made; ebiten sizes the canvas from the body once its loop
  // starts anyway.
  let canvasBox = "";
  let movingCanvas = false;
  function placeCanvas(top, right) {
    const box = top + "px " + right + "px";
    if (box === canvasBox) return;
    canvasBox = box;
    const root = document.documentElement.style;
    root.setProperty("--bar-h", top + "px");
    root.setProperty("--dock-right", right + "px");
    if (window.gossipscopeGL && !gossipscopeGL.made) return;
    movingCanvas = true;
    try {
      window.dispatchEvent(new Event("resize"));
    } finally {
      movingCanvas = false;
    }
  }

  // fitNarration keeps the narration within three lines where a smaller
  // type does it, never smaller than the page's own text: a fourth line
  // would take the canvas panel's chart its room at 1280x720 in larger
  // type. A sentence that needs more keeps that type and its box grows:
  // the narration is never cut short (e2e TestNarrationFitsEverySize).
  // The smaller type stays until the layout changes (reset) or a sentence
  // comes that is clearly shorter (the crash told in front of it gone, say)
  // than the last that needed it, so that it does not jump back and forth
  // as the counts in a sentence gain and lose digits.
  const NARRATION_LINES = 3;
  let shrunkFor = 0; // the length of the last sentence that needed smaller type
  function fitNarration(reset) {
    const n = $("narration"), span = n.firstElementChild;
    const len = n.textContent.length;
    if (n.style.fontSize && (reset || len < 0.95 * shrunkFor)) n.style.fontSize = "";
    if (!span) return;
    const lines = () => {
      const cs = getComputedStyle(span);
      return (span.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)) / parseFloat(cs.lineHeight);
    };
    const floor = parseFloat(getComputedStyle(body).fontSize);
    let fs = parseFloat(getComputedStyle(n).fontSize);
    while (lines() > NARRATION_LINES + 0.5 && fs > floor) {
      fs = Math.max(floor, fs * 0.93);
      n.style.fontSize = fs + "px";
      shrunkFor = len;
    }
  }

  // ---- the refresh ----

  // frameLoop refreshes the HTML with the animation frames, in step with the
  // canvas (ebiten draws in requestAnimationFrame too). When the canvas has
  // drawn nothing new for half a second the loop stops asking for animation
  // frames and refreshes once a second (playing through a still stretch,
  // the clock moves), and not at all once the wasm's loop sleeps (paused,
  // finished, a quiet live stream): then the page runs no timer and makes
  // no call into the wasm. Two things start the loop again: a call of the
  // API (callQuiet), and the wasm's onWake, which it calls when the canvas
  // draws a new picture after a quiet spell without one (a click or a
  // hover on the canvas, a resize).
  let lastTick = 0;
  let lastFrames = -1;
  let lastChange = 0;
  let looping = false;
  let slowTimer = 0;
  // TICK_MS spaces the refreshes while the canvas plays: 15 a second
  // move the timeline's thumb a few pixels at a time and show every tenth
  // of a second of the clock, and each costs a state() and a repaint of
  // the bar (at 30 a second that was about a millisecond of the renderer's
  // time per frame on a software renderer).
  const TICK_MS = 66;
  function frameLoop(now) {
    looping = false;
    if (now - lastTick >= TICK_MS) {
      const f = P.frames();
      if (f !== lastFrames) {
        lastFrames = f;
        lastChange = now;
      }
      if (lastChange === now || now - lastTick >= 250) {
        lastTick = now;
        tick();
      }
    }
    if (now - lastChange < 500) P.kick();
    else slowTick();
  }
  // kick makes sure the loop runs (for half a second at least).
  P.kick = () => {
    if (looping || !P.ready) return;
    clearTimeout(slowTimer);
    slowTimer = 0;
    looping = true;
    requestAnimationFrame(frameLoop);
  };
  function slowTick() {
    if (slowTimer) return;
    slowTimer = setTimeout(() => {
      slowTimer = 0;
      if (P.frames() !== lastFrames) {
        lastChange = performance.now();
        return P.kick();
      }
      lastTick = performance.now();
      const st = tick();
      if (st && !st.asleep) slowTick(); // asleep: onWake starts the loop again
    }, 1000);
  }
  P.onReadyHooks.push(() => { P.gs.onWake = () => { lastChange = performance.now(); P.kick(); }; });

  P.setScrubbing = (on) => { scrubbing = on; };

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }
  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  let lastLiveTick = 0;
  let lastSync = 0;
  function tick() {
    const st = P.state();
    if (!st) return null;
    // Only what changed is written: an idle page refreshing 4 times a
    // second must not repaint anything.
    setText($("play-icon"), st.playing ? "❚❚" : "▶");
    setAttr($("play"), "aria-label", st.playing ? "Pause" : "Play");
    const t = Number(st.t) || 0;
    const dur = Math.max(Number(st.duration) || 0, t, 1);
    const tl = $("timeline");
    if (!scrubbing) {
      if (tl.max !== String(Math.ceil(dur))) tl.max = String(Math.ceil(dur));
      if (tl.value !== String(Math.round(t))) tl.value = String(Math.round(t));
    }
    const round = st.round ? `, round ${st.round}` : "";
    setText($("time-out"), fmtTime(t) + round);
    setAttr(tl, "aria-valuetext", `${fmtTime(t)} of ${fmtTime(dur)}${round}`);
    // Live: "live lab" for the lab, "observe" for a real cluster watched
    // read-only (the header's source says which).
    let src = st.source || "sim";
    if (st.live) src = st.stream === "alertmanager" ? "observe" : st.stream ? `live ${st.stream}` : "live";
    if ($("source-badge").textContent !== src) $("source-badge").textContent = src;
    if (st.software && $("gl-badge").hidden) $("gl-badge").hidden = false;
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
      fitNarration(false);
      P.updateInsets(true);
    }
    // The wasm's own errors, unless the page already said the same thing.
    const shown = !$("error").hidden && $("error-text").textContent.includes(st.error);
    if (st.error && st.error !== lastStateError && !shown) P.showError(st.error);
    lastStateError = st.error || "";
    const sp = Number(st.speed) || 1;
    if (document.activeElement !== $("speed") && $("speed-out").textContent !== fmtSpeed(sp)) showSpeed(sp);
    P.compareTick(st);
    for (const f of P.onTick) f(st);
    // By the clock, not by ticks: a still page ticks once a second.
    const now = performance.now();
    if (P.liveTick && now - lastLiveTick >= 300) {
      lastLiveTick = now;
      P.liveTick(st);
    }
    if (now - lastSync >= 500) {
      lastSync = now;
      P.syncURL(false);
    }
    return st;
  }
})();
