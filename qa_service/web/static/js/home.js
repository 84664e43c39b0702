// The agent's home page: acknowledge a call in its row (the row leaves, the count follows),
// and the coaching tasks as cards with their buttons.

import { api, t } from "/static/js/common.js";
import { renderTasks } from "/static/js/coaching_cards.js";
import { notify } from "/static/js/notify.js";

const data = JSON.parse(document.getElementById("coaching-data").textContent);
renderTasks(document.getElementById("coaching-list"), data.tasks, { showAgent: false });

const count = document.getElementById("ack-count");
for (const button of document.querySelectorAll(".ack-button")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    const row = button.closest("li");
    try {
      await api("POST", `/api/calls/${button.dataset.call}/acknowledge`, { comment: "" });
      notify(t("home.acknowledged_toast", { call: row.querySelector("a").textContent }));
      row.remove();
      count.textContent = String(Math.max(0, Number(count.textContent) - 1));
      document.getElementById("ack-none").hidden = Boolean(document.querySelector("#ack-list li"));
    } catch (failure) {
      button.disabled = false;
      notify(failure.message, "error");
    }
  });
}
document.body.dataset.ready = String(Math.round(performance.now()));
