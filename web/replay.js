// Replay: a JSON Lines recording from the file picker, a drop anywhere on
// the page, or ?replay=URL, played with the same controls. A bad or
// truncated file is reported and the previous animation stays.
"use strict";

(() => {
  const P = window.gossipscopePage;
  const $ = P.$;
  const MAX_RECORDING_BYTES = 256 << 20;

  function loadText(text, name) {
    P.stopCompare();
    P.leaveLive();
    const r = P.callQuiet("loadRecording", text);
    const out = $("replay-result");
    if (r.ok === false) {
      const why = r.error || "not a recording";
      out.className = "result bad";
      out.textContent = `${name}: ${why}`;
      P.showError(`Could not replay ${name}: ${why}. The previous animation stays.`);
      return false;
    }
    const skipped = r.skipped ? `, ${r.skipped} skipped` : "";
    out.className = r.error ? "result bad" : "result good";
    out.textContent = `${name}: ${r.events} events${skipped}${r.error ? " (" + r.error + ")" : ""}`;
    if (r.error) P.showError(`${name} played, but: ${r.error}`);
    else P.clearError();
    P.call("seek", 0);
    P.call("play");
    P.syncURL(true);
    return true;
  }

  function loadFile(file) {
    if (!file) return;
    if (file.size > MAX_RECORDING_BYTES) {
      P.showError(`${file.name} is ${(file.size / 1048576).toFixed(0)} MB; recordings up to ${MAX_RECORDING_BYTES >> 20} MB can be replayed here.`);
      return;
    }
    P.replayURL = null;
    file.text().then(
      (text) => loadText(text, file.name),
      (e) => P.showError(`Could not read ${file.name}: ${e.message}`),
    );
  }

  P.loadReplayURL = async (url) => {
    let text;
    try {
      const resp = await fetch(url);
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      text = await resp.text();
    } catch (e) {
      P.showError(`Could not fetch the recording ${url}: ${e.message}. Showing a simulation instead.`);
      P.call("play");
      return;
    }
    P.replayURL = url;
    if (!loadText(text, url.split("/").pop() || url)) P.replayURL = null;
  };

  P.onReadyHooks.push(() => {
    $("replay-file").addEventListener("change", (e) => {
      loadFile(e.target.files[0]);
      e.target.value = ""; // the same file can be chosen again
    });

    // Drop anywhere: ebiten's canvas lets drag events bubble to the window.
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
      loadFile(e.dataTransfer.files[0]);
    });
  });
})();
