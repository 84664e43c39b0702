// Calibration sessions: start one from the list; on a session, save your blind answers or
// close it (its creator), then reload to show what the server now shows.

import { api, showError } from "/static/js/common.js";

const create = document.getElementById("calibration-create");
const answers = document.getElementById("calibration-answers");
const error = document.getElementById("calibration-error");

function callIds(text) {
  return text.split(/[\s,，]+/).filter(Boolean).map(Number);
}

create?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(create);
  try {
    const made = await api("POST", "/api/question-calibrations", {
      name: form.get("name"),
      call_ids: callIds(form.get("call_ids")),
    });
    window.location.assign(`/qa/calibrations/${made.id}`);
  } catch (e) {
    showError(error, e);
  }
});

answers?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const given = [...answers.querySelectorAll("input[type=radio]:checked")].map((input) => {
    const [call, rule] = input.name.split(/:(.*)/s);
    return { call_id: Number(call), rule_id: rule, answer: input.value };
  });
  if (!given.length) return;
  try {
    await api("PUT", `/api/question-calibrations/${answers.dataset.id}/answers`, { answers: given });
    window.location.reload();
  } catch (e) {
    showError(error, e);
  }
});

document.getElementById("calibration-close")?.addEventListener("click", async () => {
  try {
    await api("POST", `/api/question-calibrations/${answers.dataset.id}/close`);
    window.location.reload();
  } catch (e) {
    showError(error, e);
  }
});

document.body.dataset.ready = String(Math.round(performance.now()));
