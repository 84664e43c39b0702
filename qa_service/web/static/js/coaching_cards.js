// A coaching task as a card: what to practise, by when, from which call lines; the agent's
// buttons (acknowledge, mark done) and the coach's (cancel). Used by the coaching page, the
// agent's home page and the call page.

import { api, clock, el, label, localTime, showError, t } from "/static/js/common.js";
import { notify } from "/static/js/notify.js";

const dayFormat = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium" });
const ACTIVE = ["open", "acknowledged"];

/** "2026-12-10" as the page's language writes a date (the due day has no time of day). */
export function day(iso) {
  if (!iso) return "-";
  const [y, m, d] = iso.split("-").map(Number);
  return dayFormat.format(new Date(y, m - 1, d));
}

function dueLine(task) {
  const text = t("coaching.due", { date: day(task.due_on) });
  return el(
    "span",
    { class: `badge due${task.overdue ? " overdue" : ""}` },
    task.overdue ? t("coaching.overdue_since", { date: day(task.due_on) }) : text,
  );
}

function excerpt(task, onLine) {
  if (!task.excerpt?.length) return null;
  return el(
    "ol",
    { class: "coaching-lines" },
    task.excerpt.map((line) => {
      const when = el("span", { class: "ts" }, clock(line.start));
      const body = [when, el("span", { class: "who" }, label("role", line.role)), el("span", { class: "text" }, line.text)];
      return el(
        "li",
        { dataset: { line: line.line } },
        onLine
          ? el("button", { type: "button", class: "line-link", title: t("seek_here"), onclick: () => onLine(line) }, body)
          : el("a", { class: "line-link", href: `/calls/${task.call_id}?coaching=${task.id}&line=${line.line}` }, body),
      );
    }),
  );
}

async function change(task, body, error) {
  showError(error, null);
  try {
    return await api("PATCH", `/api/coaching/${task.id}`, body);
  } catch (failure) {
    showError(error, failure);
    return null;
  }
}

function agentActions(task, replace) {
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const note = el("textarea", { rows: 2, maxlength: 2000, class: "coaching-note", placeholder: t("coaching.note_placeholder") });
  const act = async (status, message) => {
    const body = status === "done" ? { status, note: note.value } : { status };
    const updated = await change(task, body, error);
    if (updated) {
      notify(message);
      replace(updated);
    }
  };
  const buttons = [];
  if (task.status === "open") {
    buttons.push(el("button", { type: "button", class: "primary coaching-ack", onclick: () => act("acknowledged", t("coaching.acknowledged_toast")) }, t("coaching.acknowledge")));
  }
  buttons.push(el("button", { type: "button", class: "coaching-done", onclick: () => act("done", t("coaching.done_toast")) }, t("coaching.mark_done")));
  return el("div", { class: "coaching-actions" }, note, el("div", { class: "buttons" }, buttons), error);
}

function coachActions(task, replace) {
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const button = el("button", { type: "button", class: "link coaching-cancel" }, t("coaching.cancel"));
  // Two clicks: a cancelled task cannot be reopened.
  button.addEventListener("click", async () => {
    if (!button.dataset.armed) {
      button.dataset.armed = "1";
      button.textContent = t("coaching.cancel_confirm");
      return;
    }
    const updated = await change(task, { status: "cancelled" }, error);
    if (updated) {
      notify(t("coaching.cancelled_toast"));
      replace(updated);
    }
  });
  return el("div", { class: "coaching-actions" }, button, error);
}

/** The card of one task; it replaces itself when an action changes the task. */
export function taskCard(task, { onLine = null, showAgent = true, showCall = true } = {}) {
  const replace = (updated) => {
    const next = taskCard({ ...updated, can_act: task.can_act, can_coach: task.can_coach }, { onLine, showAgent, showCall });
    card.replaceWith(next);
  };
  const active = ACTIVE.includes(task.status);
  const meta = [
    showAgent ? el("span", {}, t("coaching.agent", { name: task.agent_name || task.agent_id || "-" })) : null,
    showCall ? el("a", { href: `/calls/${task.call_id}?coaching=${task.id}` }, t("coaching.call", { call: task.call_ref })) : null,
    task.category ? el("span", {}, t("coaching.finding", { category: label("category", task.category) })) : null,
    el("span", { class: "muted" }, t("coaching.assigned_by", { who: task.created_by_name || "-", when: localTime(task.created_at) })),
  ];
  const card = el(
    "article",
    { class: `coaching-task status-${task.status}${task.overdue ? " overdue" : ""}`, id: `coaching-${task.id}`, dataset: { task: task.id, status: task.status } },
    el(
      "header",
      {},
      el("span", { class: `badge coaching-status status-${task.status}` }, label("coaching_status", task.status)),
      active ? dueLine(task) : null,
      task.done_at ? el("span", { class: "muted small" }, t("coaching.done_at", { when: localTime(task.done_at) })) : null,
    ),
    el("p", { class: "focus" }, task.focus),
    el("div", { class: "coaching-meta small" }, meta),
    excerpt(task, onLine),
    task.note ? el("p", { class: "coaching-note-text small" }, t("coaching.note", { note: task.note })) : null,
    task.can_act && active ? agentActions(task, replace) : null,
    task.can_coach && !task.can_act && active ? coachActions(task, replace) : null,
  );
  return card;
}

/** A list of cards, or the empty message. */
export function renderTasks(box, tasks, options = {}) {
  if (!tasks.length) {
    box.replaceChildren(el("p", { class: "muted empty" }, t("coaching.none")));
    return;
  }
  box.replaceChildren(...tasks.map((task) => taskCard(task, options)));
}
