// The guided HA lessons' definitions (docs/gossip-rules.md §3, §6): each
// lesson's variants as steps (a caption, and an act that drives the live
// source) and a summary of what was measured. web/lessons.js runs them and
// hands them what a step can ask for (kit): start a cluster, spread a
// silence, post an alert and wait for every node's decision, the nodes by
// name, and the lesson being run (kit.run) with its figures.
"use strict";

(() => {
  const P = window.gossipscopePage;

  P.lessonDefs = (kit) => {
    const { cluster, spread, alert, N, names, running, isLab, observed, secs } = kit;

    // defaults states Alertmanager's defaults beside what runs here.
    const defaults = () => {
      const real = "Alertmanager's defaults: peer timeout 15 s, gossip every 200 ms, push-pull every 60 s";
      const h = (kit.run && kit.run.header) || {};
      if (isLab()) return `${real}; the lab runs peer timeout ${secs(h.peer_timeout_ms)}, gossip ${secs(h.gossip_interval_ms)}, push-pull ${secs(h.pushpull_interval_ms)}.`;
      return `${real}; here every interval is divided by 5 (peer timeout 3 s, gossip 40 ms, push-pull 12 s).`;
    };

    // ---- the lessons ----

    const notifyIntro = (r) => `${r.nodes.length} nodes, each with the same route and one webhook receiver. Each node's position is its index among the members sorted by name: n1 is 0. ${defaults()}`;

    // A notify variant: set up, post the alert, explain what happened.
    const notifyVariant = (label, opts) => ({
      label,
      steps: [
        { caption: opts.setupCaption || notifyIntro, act: opts.setup || (() => cluster(5, opts.start)) },
        ...(opts.fault ? [{ caption: opts.faultCaption, act: opts.fault }] : []),
        {
          caption: (r) => `${opts.alertCaption ? opts.alertCaption(r) : "The same alert is posted to every running node."} Each waits group_wait (${secs(r.groupWait)}), then its position × peer timeout (${secs(r.peerTimeout)}) before it looks in the gossiped notification log: empty, it notifies and logs; logged, it skips.`,
          // opts.during runs as soon as the alert is posted, while the
          // nodes wait out group_wait.
          act: async () => {
            const [res] = await Promise.all([alert(opts.alertName || "Lesson", opts.to && opts.to()), opts.during && opts.during()]);
            kit.run.result = res;
          },
        },
      ],
      summary: opts.summary,
    });

    const countLine = (res) => `Receiver hook got ${res.notifications} notification${res.notifications === 1 ? "" : "s"}${res.senders.length ? ` (from ${res.senders.join(", ")})` : ""}; the first ${secs(res.firstMs)} after the alert. Skipped (found the log entry): ${res.skipped.join(", ") || "none"}. The log entry reached ${res.nflHolders} nodes, carried by ${res.carried} messages (${res.msgs} in all, probes included).`;
    // unreachedLine explains duplicates from nodes that the log entry's
    // gossip had not reached by the end of their wait ("" when none).
    const unreachedLine = (r) => r.unreached && r.unreached.length
      ? `${r.unreached.join(", ")} notified too: no message carrying the log entry had reached ${r.unreached.length === 1 ? "it" : "them"} by the end of ${r.unreached.length === 1 ? "its" : "their"} wait. Each holder gossips a new entry to a few random members once; a node none of them picks learns it only at the next push-pull, which can come after its wait. Alertmanager does the same (rarely, with 5 nodes): run it again.`
      : "";

    // explainObserved reads duplicates out of the cluster's own metrics: who
    // notified, at which position, and which rule that points to.
    function explainObserved() {
      const obs = observed();
      const senders = [...obs].filter(([, o]) => o.notifications > 0);
      const lines = [`Notifications counted (alertmanager_notifications_total): ${senders.map(([n, o]) => `${n} +${o.notifications} (position ${o.position})`).join(", ") || "none yet"}.`];
      const positions = new Map();
      for (const [n, o] of obs) if (o.position != null) positions.set(o.position, [...(positions.get(o.position) || []), n]);
      const twice = [...positions].filter(([, ns]) => ns.length > 1);
      if (twice.length) lines.push(`Two nodes claim the same position (${twice.map(([p, ns]) => `${ns.join(" and ")} at ${p}`).join("; ")}): they see different member lists, a partition or a split view; each side has its own position 0 and notifies.`);
      if (senders.length > 1) {
        lines.push(`Duplicates: ${senders.length} nodes notified. A node at position k > 0 notifies only when, after k x peer timeout, its notification log still had no entry: position 0 was down, partitioned from it, or gossip took longer than the peer timeout.`);
      } else if (senders.length === 1 && senders[0][1].position > 0) {
        lines.push(`Only ${senders[0][0]} notified, at position ${senders[0][1].position}: it waited ${senders[0][1].position} x peer timeout; the nodes before it did not notify (not given the alert, down, or a member that sorts first but takes no alerts).`);
      } else if (senders.length === 1) {
        lines.push("One node notified, at position 0: the cluster deduplicated.");
      }
      kit.run.result = { observed: Object.fromEntries(obs), senders: senders.map(([n]) => n), duplicates: senders.length > 1 };
      return lines;
    }

    const LESSONS = {
      "ha-silence": {
        title: "HA test 1: a silence replicates",
        variants: {
          spread: {
            label: "Two nodes, then five",
            steps: [
              { caption: () => `${isLab() ? `The lab's ${names().length}` : "Two"} Alertmanager peers form a cluster (memberlist). ${defaults()}`, act: () => cluster(2) },
              {
                caption: () => "A silence is created on n1. It is a gossip user message: n1 sends it to up to 3 peers per gossip round, each message at most 3 times (the retransmit limit).",
                act: async () => { kit.run.result.two = await spread(N(0), "lesson: two nodes"); },
              },
              { caption: () => (isLab() ? "Again: the lab runs the nodes it was started with (gossipscope --lab N)." : "Now five nodes."), act: () => cluster(5) },
              {
                caption: () => "The same on five: each node that learns the silence gossips it on, so it reaches everyone in about log N gossip rounds, not N.",
                act: async () => { kit.run.result.five = await spread(N(0), "lesson: five nodes"); },
              },
            ],
            summary: (r) => [
              `${r.two.nodes} nodes: the silence reached every node in ${secs(r.two.ms)}, carried by ${r.two.carried} messages (${r.two.msgs} in all, probes included).`,
              `${r.five.nodes} nodes: every node in ${secs(r.five.ms)}, carried by ${r.five.carried} messages (${r.five.msgs} in all; gossip every ${secs(kit.run.header.gossipMs || 200)}): more than 4, since every holder retransmits it up to 3 times, and a node hears it again and again (redundancy).`,
            ],
          },
          restart: {
            label: "Crash, silence, restart",
            steps: [
              { caption: () => `Five peers. ${defaults()}`, act: () => cluster(5) },
              { caption: () => "n3 crashes: it will miss what happens next.", act: () => kit.run.send({ cmd: "crash", node: N(2) }) },
              {
                caption: () => "A silence is created on n1: gossip reaches the four running nodes, not n3.",
                act: async () => { kit.run.result.spread = await spread(N(0), "lesson: made while the third node was down"); },
              },
              {
                caption: () => "n3 restarts empty and joins. Joining is a push-pull: a full state exchange over TCP, which brings the silence (push-pulls also repeat every 60 s, here 12 s).",
                act: async () => {
                  const t0 = kit.run.now;
                  await kit.run.send({ cmd: "restart", node: N(2) });
                  const m = kit.run.holders.get(kit.run.result.spread.key);
                  await kit.run.until("the restarted node to hold the silence", () => m.has(N(2)), 60000);
                  kit.run.result.catchUpMs = m.get(N(2)) - t0;
                },
              },
            ],
            summary: (r) => [
              `The silence reached the ${r.spread.nodes} running nodes in ${secs(r.spread.ms)}, carried by ${r.spread.carried} messages.`,
              `n3 held it ${secs(r.catchUpMs)} after its restart: the join's push-pull, not gossip.`,
            ],
          },
        },
      },
      "ha-notify": {
        title: "HA test 2: notifying once",
        variants: {
          healthy: notifyVariant("Healthy cluster", {
            summary: (r) => [countLine(r), unreachedLine(r) ||
              "One notification: position 0 sent and logged it; the log entry was gossiped within its peers' waits."],
          }),
          // The crash comes with the alert, not a step before it: a node
          // reads its position when its group_wait ends, and n1 is dead
          // for the others a probe and a suspicion timeout (0.8-4.8 s
          // here) after the crash; an alert after that (a teacher reading
          // the caption, a loaded machine: n2 notified 210 ms after the
          // alert once) finds n2 at position 0.
          crashed: notifyVariant("Position 0 crashed", {
            alertCaption: () => `${N(0)}, position 0, crashes just as the alert comes to ${names().slice(1).join(", ")}: when their group_wait ends they still count ${N(0)} as a member (suspect at most: declaring it dead takes a failed probe and a suspicion timeout), so their positions stand.`,
            to: () => names().slice(1),
            during: () => kit.run.send({ cmd: "crash", node: N(0) }),
            summary: (r) => [countLine(r), `n2 (position 1) waited one peer timeout (${secs(kit.run.peerTimeout)}), found no entry and notified: late` +
              (unreachedLine(r) ? "." : ", but once."), unreachedLine(r)].filter(Boolean),
          }),
          partition: notifyVariant("A partition", {
            faultCaption: () => `The network splits: ${N(0)} | ${names().slice(1).join(" ")}. Both sides keep working (availability); ${N(0)}'s log entry cannot cross. The alert comes once each node of the big side has declared ${N(0)} dead.`,
            // The alert waits for the split to be seen on the big side: a
            // node's position is read when its group_wait ends, so an
            // alert during detection finds views that disagree (n2 still
            // counting n1 while n3 no longer does: both at position 1, two
            // notifications on one side), by how fast the alert came.
            fault: async () => {
              const far = names().slice(1);
              kit.run.deadNews.delete(N(0)); // news of this cut only
              await kit.run.send({ cmd: "partition", groups: [[N(0)], far] });
              await kit.run.until(`${N(0)} dead for every node of the big side`, () => kit.run.holdDead(N(0), far), 60000);
            },
            // Every node takes the alert: all run, whatever each side says
            // of the other.
            to: () => names(),
            // A further sender on the big side is one that n2's entry had
            // not reached: right after the cut each holder still gossips
            // to the dead n1 (memberlist does for GossipToTheDeadTime), and
            // what it sends there is lost.
            summary: (r) => {
              const big = Object.assign({}, r, { unreached: r.unreached.filter((n) => n !== N(0) && n !== N(1)) });
              return [countLine(r), `Each side notified${big.unreached.length ? "" : " once"}: each has its own position 0 (${N(0)} alone, ${N(1)} on the big side, where ${N(0)} is dead), which finds no entry and notifies at once. Duplicates: the price of staying available under a partition.`,
                big.unreached.length ? `${unreachedLine(big)} Here ${N(0)} had just been declared dead, and memberlist gossips to a dead member for a while (30 s by default${isLab() ? "" : ", 6 s here"}): ${N(0)} is still among the members each holder of ${N(1)}'s entry picks its few sends from, and what goes to ${N(0)} is lost on the cut.` : ""].filter(Boolean);
            },
          }),
          slow: notifyVariant("Gossip slower than the peer timeout", {
            start: { peerTimeoutMs: 5, latencyMs: 20 },
            setupCaption: (r) => `${r.nodes.length} nodes on a network with 20 ms of delay, and a peer timeout of 5 ms: shorter than gossip takes to carry the log entry.`,
            summary: (r) => [countLine(r), "The others looked in the log before n1's entry arrived: duplicates. --cluster.peer-timeout must exceed gossip's delay."],
          }),
          observe: {
            label: "A real cluster's duplicates (observe)",
            steps: [
              {
                caption: () => "Watching a real Alertmanager cluster through its own metrics (gossipscope observe): each node's position (alertmanager_peer_position) and the notifications it sends (alertmanager_notifications_total). Fire an alert at the cluster; press next to read what it did.",
                act: () => {
                  if (!P.live || !P.live.wanted) throw new Error("connect to a live server first (gossipscope observe, then ?live=1)");
                  kit.run.observing = true;
                  return kit.run.until("the cluster's members", () => observed().size > 0, 120000);
                },
              },
            ],
            summary: () => explainObserved(),
          },
          "first-joins": {
            label: "A member whose name sorts first joins",
            steps: [
              { caption: () => `Six peers; n1 is stopped, so n2 is position 0. ${defaults()}`, act: async () => {
                await cluster(6);
                // The alert waits for every running node to hold n1 dead: a
                // node still counting n1 is at position 1, not 0 (one run
                // saw n2 wait a peer timeout while n3 notified first).
                kit.run.deadNews.delete(N(0));
                await kit.run.send({ cmd: "crash", node: N(0) });
                await kit.run.until("n1 dead for every running node", () => kit.run.holdDead(N(0), names().slice(1)), 60000);
              } },
              { caption: (r) => `An alert to n2..n6: n2 notifies after group_wait (${secs(r.groupWait)}).`, act: async () => {
                kit.run.result.before = await alert("BeforeJoin", running());
              } },
              { caption: () => "n1 joins. It takes no alerts (like an observer, or a peer Prometheus does not know), but its name sorts first: every position shifts by one.", act: async () => {
                await kit.run.send({ cmd: "restart", node: N(0) });
                await kit.run.until("n1 alive", () => P.live.nodes.get(N(0)) === "alive", 60000);
              } },
              { caption: () => "The next alert to n2..n6: n2 is now position 1 and waits a peer timeout first.", act: async () => {
                kit.run.result.after = await alert("AfterJoin", running().filter((n) => n !== N(0)));
                kit.run.result.notifications = kit.run.result.before.notifications + kit.run.result.after.notifications;
              } },
            ],
            summary: (r) => [
              `Before n1 joined: ${countLine(r.before)}`,
              `After: ${countLine(r.after)}`,
              "Same single notification, one peer timeout later: positions count every member, notifying or not.",
            ],
          },
        },
      },
    };

    return LESSONS;
  };
})();
