// Short confirmations in a corner of the page ("Saved", "Decision recorded"): they say that
// an action worked without moving the page, and leave by themselves.

import { el } from "/static/js/common.js";

const SHOWN_MS = 5000;

export function notify(message, kind = "ok") {
  let box = document.getElementById("notices");
  if (!box) {
    box = el("div", { id: "notices", class: "notices", "aria-live": "polite" });
    document.body.append(box);
  }
  const item = el("div", { class: `notice-msg ${kind}`, role: "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), SHOWN_MS);
  return item;
}
