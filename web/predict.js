// gossipscope page: "predict, then play". The class guesses how many
// rounds the news needs to reach every node; the run restarts, and when
// every live node knows it the card sets the guess, the run's rounds and
// the theory's side by side (docs/teaching.md builds a lesson on it).
"use strict";

(() => {
  const P = window.gossipscopePage;
  const $ = P.$;
  let watch = null; // {guess} while the run is on

  function say(text) { $("pr-result").textContent = text; }

  function stop() {
    watch = null;
  }

  function roundsWord(n) { return n === 1 ? "round" : "rounds"; }

  // check reads the state on every refresh of the page (P.onTick: every
  // frame while the run plays) until every live node knows the news; the
  // rounds are counted as the narration and the compare table count them
  // (the round marker last passed).
  function check(st) {
    if (!st || !watch) return;
    if (st.source !== "sim") {
      stop();
      say("Predictions compare with the simulation; the live lab has no rounds.");
      return;
    }
    if (st.nodes > 0 && st.informed >= (st.alive || st.nodes)) {
      const g = watch.guess;
      stop();
      const diff = st.round - g;
      const verdict = diff === 0 ? "exactly right" : `${Math.abs(diff)} ${roundsWord(Math.abs(diff))} ${diff > 0 ? "too few" : "too many"}`;
      say(`Guess ${g} · run ${st.round} ${roundsWord(st.round)} · theory ${st.theoryRounds} (log${sub()} N ≈ ${st.logRounds}). ` +
        `The guess was ${verdict}.`);
      return;
    }
    if (st.done) {
      const g = watch.guess;
      stop();
      say(`Guess ${g} · the run ended with ${st.informed} of ${st.alive} nodes informed: some never heard (loss, a stop rule, a cut).`);
    }
  }

  // sub is the log's base (K+1) as the caption writes it, from the scenario.
  function sub() {
    const k = Number(new URLSearchParams(P.scenario()).get("fanout")) || 0;
    return k > 0 ? String(k + 1).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]) : "";
  }

  function start() {
    const g = Math.round(Number($("pr-guess").value));
    if (!(g >= 1)) {
      $("pr-guess").focus();
      return P.showError("Write the class's guess first: a number of rounds, 1 or more.");
    }
    const st = P.state();
    if (!st || st.source !== "sim") return P.showError("Predict, then play works on the simulation: go back to it first.");
    stop();
    P.stopCompare();
    if (P.call("restart").ok === false) return;
    watch = { guess: g };
    say(`Guess ${g} ${roundsWord(g)}: playing…`);
  }

  P.onTick.push(check);
  P.onReadyHooks.push(() => {
    $("pr-play").addEventListener("click", start);
    $("pr-guess").addEventListener("keydown", (e) => { if (e.key === "Enter") start(); });
  });
  window.gossipscopePredict = { start, result: () => $("pr-result").textContent };
})();
