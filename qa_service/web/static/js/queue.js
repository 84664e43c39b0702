// The review queue: j / k move through the calls, Enter opens one; a form draws a new plan.

import { api, showError, typing } from "/static/js/common.js";

const rows = [...document.querySelectorAll("#queue-table tbody tr[data-href]")];
let current = -1;

function select(i) {
  if (!rows.length) return;
  rows[current]?.classList.remove("selected");
  current = Math.max(0, Math.min(rows.length - 1, i));
  rows[current].classList.add("selected");
  rows[current].focus();
}

document.addEventListener("keydown", (event) => {
  if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "j") select(current + 1);
  else if (event.key === "k") select(current - 1);
  else if (event.key === "Enter" && current >= 0) window.location.assign(rows[current].dataset.href);
  else return;
  event.preventDefault();
});

const form = document.getElementById("plan-form");
const error = document.getElementById("plan-error");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(error, null);
  const values = new FormData(form);
  const number = (name) => (values.get(name) === "" || values.get(name) === null ? null : Number(values.get(name)));
  const body = {
    period: values.get("period"),
    rate: Number(values.get("rate")) / 100,
    min_per_agent: number("min_per_agent") ?? 0,
    max_per_agent: number("max_per_agent"),
    by: values.get("by_queue") ? ["queue"] : [],
    oversample: values.getAll("oversample").join(",") || null,
    seed: number("seed"),
    reviewers: values.getAll("reviewers"),
  };
  try {
    const plan = await api("POST", "/qa/plans", body);
    window.location.assign(`/qa/queue?plan=${plan.id}`);
  } catch (failure) {
    showError(error, failure);
  }
});
