// gossipscope page: the controls. Buttons, sliders, keys and canvas clicks
// become calls to the wasm's JS API through page.js; then the page boots.
"use strict";

(() => {
  const P = window.gossipscopePage;
  const $ = P.$;
  const body = document.body;
  const call = P.call;

  // The wasm selects the node under a click and tells onSelect, with the
  // click's modifier keys. In "crash" mode, or with shift held, the page
  // then crashes or restarts it, unless the source is read-only (an
  // observer): then a click only selects. onSelect runs after the wasm has
  // let go of its lock, so it may call the API straight away.
  function bindCanvasClicks() {
    P.gs.onSelect = (name, click) => {
      if ((P.state() || {}).readOnly) return;
      const mode = document.querySelector('input[name="click"]:checked').value;
      const crashIt = mode === "crash" || Boolean(click && click.shiftKey);
      if (!name || !crashIt) return;
      const sel = (P.state() || {}).selected;
      const dead = sel && sel.name === name && (sel.status === "dead" || sel.crashed === true);
      call(dead ? "restartNode" : "crash", name);
      P.syncURL(true);
    };
  }

  // Keys work wherever the focus is (ebiten's canvas takes it and lets key
  // events bubble), except while typing in a field.
  function bindKeys() {
    window.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      const tag = t && t.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (t && t.isContentEditable)) return;
      if ($("help").open && e.key !== "?") return;
      if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) return; // the button's own action
      const speed = () => Number((P.state() || {}).speed) || 1;
      let handled = true;
      switch (e.key) {
        case " ": call("toggle"); break;
        case "ArrowRight": call(e.shiftKey ? "stepMessage" : "stepRound"); break;
        case "ArrowLeft": P.stepBack(e.shiftKey ? 0.1 : 1); break;
        case "ArrowUp": P.setSpeed(speed() * 2); P.syncURL(true); break;
        case "ArrowDown": P.setSpeed(speed() / 2); P.syncURL(true); break;
        case "r": case "R": P.stopCompare(); call("restart"); break;
        case "p": case "P": P.setProjector(!body.classList.contains("projector")); P.syncURL(true); break;
        case "h": case "H": P.setPanel(body.classList.contains("panel-hidden")); P.syncURL(true); break;
        case "?": if ($("help").open) $("help").close(); else $("help").showModal(); break;
        case "Escape": call("select", null); P.clearError(); break;
        default: handled = false;
      }
      if (handled) e.preventDefault();
    });
  }

  function bindControls() {
    const on = (id, f) => $(id).addEventListener("click", f);
    on("play", () => call("toggle"));
    on("step-round", () => call("stepRound"));
    on("step-msg", () => call("stepMessage"));
    on("restart", () => { P.stopCompare(); call("restart"); });
    $("speed").addEventListener("input", (e) => P.setSpeed(P.sliderToSpeed(Number(e.target.value))));
    $("speed").addEventListener("change", () => P.syncURL(true));
    const tl = $("timeline");
    tl.addEventListener("pointerdown", () => P.setScrubbing(true));
    tl.addEventListener("input", () => call("seek", Number(tl.value)));
    for (const ev of ["pointerup", "change", "blur"]) tl.addEventListener(ev, () => P.setScrubbing(false));
    on("projector", () => { P.setProjector(!body.classList.contains("projector")); P.syncURL(true); });
    on("panel-toggle", () => { P.setPanel(body.classList.contains("panel-hidden")); P.syncURL(true); });
    on("help-open", () => $("help").showModal());
    on("error-close", P.clearError);

    $("params").addEventListener("submit", P.runForm);
    P.initSetup();
    $("p-mode").addEventListener("change", P.modeChanged);
    on("p-seed-new", () => { $("p-seed").value = String(Math.floor(Math.random() * 1e9)); });

    // Faults at the playhead: the wasm schedules them, so they are part of
    // the scenario and of the URL.
    const fault = (f) => () => { f(); P.syncURL(true); };
    on("f-partition", fault(() => call("partition")));
    on("f-heal", fault(() => call("heal")));
    on("f-join", fault(() => call("join", Number($("f-join-count").value) || 1)));
    on("f-setloss", fault(() => {
      const p = Number($("f-loss").value);
      if (!(p >= 0 && p <= 1)) return P.showError("Loss is a probability between 0 and 1.");
      call("setLoss", p);
    }));
    // The keyboard's way to the canvas: pick a node by name.
    const named = () => $("f-node").value.trim();
    on("f-select", () => call("select", named()));
    on("f-crash", fault(() => {
      if (call("select", named()).ok === false) return;
      const sel = (P.state() || {}).selected;
      const dead = sel && (sel.status === "dead" || sel.crashed === true);
      call(dead ? "restartNode" : "crash", named());
    }));
    on("f-update", fault(() => {
      const st = P.state();
      call("update", (st && st.selected && st.selected.name) || "n0");
    }));

    bindKeys();
    bindCanvasClicks();
  }

  P.onReadyHooks.unshift(bindControls);
  P.boot();
})();
