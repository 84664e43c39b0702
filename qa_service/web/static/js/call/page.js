// The call review page: wires the player, the transcript, the findings and the panels.

import { api, clock, t, typing } from "/static/js/common.js";
import { ReviewDraft } from "/static/js/call/draft.js";
import { FindingsPanel } from "/static/js/call/findings.js";
import {
  renderDisputes,
  renderExplanation,
  renderScore,
  setupAgentPanel,
  setupReviewPanel,
} from "/static/js/call/panels.js";
import { setupCoaching } from "/static/js/call/coaching.js";
import { createPlayer } from "/static/js/call/player.js";
import { Transcript } from "/static/js/call/transcript.js";

const POLL_MS = 3000;
const SEEK_STEP_S = 5;
const data = JSON.parse(document.getElementById("call-data").textContent);

function waitForAnalysis() {
  const timer = setInterval(async () => {
    try {
      const call = await api("GET", `/api/calls/${data.call.id}`);
      if (call.status !== data.call.status) {
        clearInterval(timer);
        window.location.reload();
      }
    } catch {
      clearInterval(timer);
    }
  }, POLL_MS);
}

/** `?coaching=ID[&line=N]` (a link from a coaching task): once the transcript is built,
 * the task's lines are marked and the first (or N) cued, inside the transcript's own
 * scrolling: the page does not move, the player stays in view. */
function coachingCue(transcript, seek) {
  const query = new URLSearchParams(window.location.search);
  const task = (data.coaching?.tasks || []).find((x) => x.id === Number(query.get("coaching")));
  if (!task?.lines.length) return null;
  const line = Number(query.get("line"));
  const first = task.lines.includes(line) ? line : task.lines[0];
  return () => {
    seek(data.utterances[first]?.[1] ?? 0);
    transcript.flash({ lines: task.lines });
    transcript.reveal(first);
  };
}

/** `?finding=ID` (a link from a dispute or the home page): that finding selected and its
 * moment cued once the transcript is built; the page itself does not scroll. */
function findingCue(findings) {
  const id = Number(new URLSearchParams(window.location.search).get("finding"));
  const k = id ? data.findings.findIndex((f) => f.id === id) : -1;
  if (k < 0) return null;
  return () => findings.select(k, { keepPage: true });
}

function setup() {
  const audio = document.getElementById("audio");
  const playButton = document.getElementById("play");
  const timeNow = document.getElementById("time-now");
  const follow = document.getElementById("follow");

  const play = () => audio.play().catch(() => {});
  const seek = (seconds) => {
    audio.currentTime = Math.max(0, seconds);
    transcript.highlight(audio.currentTime);
    timeNow.textContent = clock(audio.currentTime);
  };

  const transcript = new Transcript(document.getElementById("transcript"), data.utterances, data.findings, {
    onSeek: (start) => {
      seek(start);
      play();
    },
    onFindingClick: (k) => findings.select(k),
  });
  const findings = new FindingsPanel(document.getElementById("findings"), data, {
    onSelect: (finding, k, doSeek) => {
      transcript.flash(finding);
      if (doSeek && !finding.whole_call && finding.start_s !== null && finding.start_s !== undefined) {
        seek(finding.start_s);
      }
    },
    onDisputed: (dispute) => {
      data.disputes.push({ ...dispute, can_decide: false, can_appeal: false, agent_name: "" });
      renderDisputes(disputesBox, data, (k) => findings.select(k));
    },
    onCoach: (k) => coachFinding?.(k),
  });
  const disputesBox = document.getElementById("disputes");
  const scoreTable = document.getElementById("dimensions");
  findings.render();
  renderScore(scoreTable, data);
  renderExplanation(document.getElementById("score-why"), data);
  renderDisputes(disputesBox, data, (k) => findings.select(k));
  setupAgentPanel(data, () => renderScore(scoreTable, data));
  const coachFinding = setupCoaching(data, {
    currentLine: () => transcript.current,
    onLine: (line) => {
      transcript.flash({ lines: [line.line] });
      seek(line.start ?? 0);
    },
  });
  const cue = coachingCue(transcript, seek) || findingCue(findings);
  // Unsubmitted marks: restored from this browser's draft, kept on every change.
  const draft = data.can.review ? new ReviewDraft(data, findings) : null;
  const submitReview = setupReviewPanel(data, findings, draft);
  if (draft) {
    draft.restore();
    draft.watch();
  }

  document.getElementById("severity-filter").addEventListener("change", (event) => findings.applyFilter(event.target.value));
  document.getElementById("only-findings").addEventListener("change", (event) => {
    document.getElementById("transcript").classList.toggle("only-findings", event.target.checked);
  });
  follow.addEventListener("change", () => (transcript.follow = follow.checked));
  document.getElementById("speed").addEventListener("change", (event) => (audio.playbackRate = Number(event.target.value)));
  playButton.addEventListener("click", () => (audio.paused ? play() : audio.pause()));

  // The playing line follows the audio: on every frame while playing, and on each seek.
  let frame = 0;
  const tick = () => {
    transcript.highlight(audio.currentTime);
    timeNow.textContent = clock(audio.currentTime);
    frame = audio.paused ? 0 : requestAnimationFrame(tick);
  };
  audio.addEventListener("play", () => {
    playButton.textContent = `❚❚ ${t("pause")}`;
    if (!frame) frame = requestAnimationFrame(tick);
  });
  audio.addEventListener("pause", () => (playButton.textContent = `▶ ${t("play")}`));
  audio.addEventListener("seeked", tick);
  audio.addEventListener("timeupdate", () => {
    if (audio.paused) tick();
  });

  const dialog = document.getElementById("shortcuts");
  document.getElementById("shortcuts-button").addEventListener("click", () => dialog.showModal());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.shiftKey && submitReview) {
      event.preventDefault();
      submitReview();
      return;
    }
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const actions = {
      " ": () => (audio.paused ? play() : audio.pause()),
      j: () => findings.step(1),
      k: () => findings.step(-1),
      ArrowRight: () => seek(audio.currentTime + SEEK_STEP_S),
      ArrowLeft: () => seek(audio.currentTime - SEEK_STEP_S),
      c: () => findings.mark(findings.selected, "confirmed"),
      o: () => findings.mark(findings.selected, "overturned"),
      u: () => findings.unmark(findings.selected),
      d: () => findings.openDispute(findings.selected),
      "?": () => dialog.showModal(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  transcript.render(data.findings).then(() => {
    cue?.();
    // Milliseconds since navigation started: the time until the page is usable.
    document.body.dataset.ready = String(Math.round(performance.now()));
  });

  if (!data.has_audio) {
    // A chat or an imported transcript: nothing to play.
    document.body.dataset.wave = "none";
    return;
  }
  const waveStatus = document.getElementById("wave-status");
  createPlayer({
    container: document.getElementById("waveform"),
    labels: document.getElementById("wave-labels"),
    audio,
    data,
    onRegionClick: (k) => findings.select(k),
  })
    .then(({ wavesurfer }) => {
      const zoom = document.getElementById("zoom");
      zoom.addEventListener("input", () => wavesurfer.zoom(Number(zoom.value)));
      document.body.dataset.wave = String(Math.round(performance.now()));
    })
    .catch((failure) => {
      // The player's own errors are in the page's words; anything else (the audio element,
      // the drawing library) gets the general one, its detail in the console.
      console.warn("waveform", failure);
      waveStatus.textContent = failure.forPeople ? failure.message : t("waveform_failed", { status: t("wave_error") });
      waveStatus.hidden = false;
      document.body.dataset.wave = "failed";
    });
}

if (data.analysed) setup();
else waitForAnalysis();
