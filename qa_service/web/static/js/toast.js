// Short confirmations in a corner of the page ("Saved", "Decision recorded"): they say that
// an action worked without moving the page, and leave by themselves.

import { el } from "/static/js/common.js";

const SHOWN_MS = 5000;

export function toast(message, kind = "ok") {
  let box = document.getElementById("toasts");
  if (!box) {
    box = el("div", { id: "toasts", class: "toasts", "aria-live": "polite" });
    document.body.append(box);
  }
  const item = el("div", { class: `toast ${kind}`, role: "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), SHOWN_MS);
  return item;
}
