// The coaching page: the tasks the server listed, as cards with their actions.

import { renderTasks } from "/static/js/coaching_cards.js";

const data = JSON.parse(document.getElementById("coaching-data").textContent);
renderTasks(document.getElementById("coaching-list"), data.tasks, { showAgent: data.show_agent });
document.body.dataset.ready = String(Math.round(performance.now()));
