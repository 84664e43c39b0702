// The dispute inbox: rule on a dispute in its card (uphold, overturn, escalate, with a
// comment); the card says what was decided, then leaves, and a toast confirms it. The
// disputed moment plays in place.

import { api, label, showError, t } from "/static/js/common.js";
import { notify } from "/static/js/notify.js";

const LEAVE_MS = 1800;
const count = document.getElementById("disputes-count");

function decided(form, decision) {
  const card = form.closest(".dispute-card");
  const note = document.createElement("p");
  note.className = "decided-note";
  note.textContent = t("inbox.decided", { decision: label("decision", decision) });
  form.replaceWith(note);
  card.classList.add("decided");
  notify(t("inbox.decided_toast", { id: card.dataset.dispute, decision: label("decision", decision) }));
  setTimeout(() => {
    card.remove();
    count.textContent = String(Math.max(0, Number(count.textContent) - 1));
  }, LEAVE_MS);
}

for (const form of document.querySelectorAll("form.decide")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".form-error");
    showError(error, null);
    const values = new FormData(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", `/api/disputes/${form.dataset.dispute}/decision`, {
        decision: values.get("decision"),
        comment: values.get("comment"),
      });
      decided(form, values.get("decision"));
    } catch (failure) {
      button.disabled = false;
      showError(error, failure);
    }
  });
}

// One player for the page: a button plays its finding's moment, from start to end.
const audio = new Audio();
let stopAt = null;
let playing = null;
audio.addEventListener("timeupdate", () => {
  if (stopAt !== null && audio.currentTime >= stopAt) audio.pause();
});
audio.addEventListener("pause", () => playing?.classList.remove("playing"));
for (const button of document.querySelectorAll("button.play-span")) {
  button.addEventListener("click", async () => {
    if (playing === button && !audio.paused) {
      audio.pause();
      return;
    }
    playing?.classList.remove("playing");
    const src = new URL(button.dataset.src, window.location.href).href;
    if (audio.src !== src) audio.src = src;
    const start = Number(button.dataset.start);
    stopAt = button.dataset.end ? Number(button.dataset.end) : null;
    audio.currentTime = start;
    playing = button;
    button.classList.add("playing");
    try {
      await audio.play();
    } catch {
      button.classList.remove("playing");
      notify(t("inbox.play_failed"), "error");
    }
  });
}
document.body.dataset.ready = String(Math.round(performance.now()));
