// The dispute inbox: rule on a dispute in its row (uphold, overturn, escalate, with a comment).

import { api, showError } from "/static/js/common.js";

for (const form of document.querySelectorAll("form.decide")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".form-error");
    showError(error, null);
    const values = new FormData(form);
    try {
      await api("POST", `/api/disputes/${form.dataset.dispute}/decision`, {
        decision: values.get("decision"),
        comment: values.get("comment"),
      });
      window.location.reload();
    } catch (failure) {
      showError(error, failure);
    }
  });
}
