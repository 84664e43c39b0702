// The call page's coaching panel: the call's tasks, and for QA or the team's supervisor a
// form to assign one from the call or from one of its findings, with the lines attached.

import { api, clock, el, label, showError, t } from "/static/js/common.js";
import { renderTasks, taskCard } from "/static/js/coaching_cards.js";
import { notify } from "/static/js/notify.js";

const DEFAULT_DAYS = 7;
const MAX_LINES = 50;

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function inDays(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return isoDay(date);
}

/** The attached lines as removable chips: time, speaker and the line's start. */
class LinePicker {
  constructor(box, rows) {
    this.box = box;
    this.rows = rows;
    this.lines = [];
  }

  set(lines) {
    this.lines = [...new Set(lines)].filter((i) => i >= 0 && i < this.rows.length).sort((a, b) => a - b).slice(0, MAX_LINES);
    this.render();
  }

  add(i) {
    this.set([...this.lines, i]);
  }

  render() {
    if (!this.lines.length) {
      this.box.replaceChildren(el("span", { class: "muted small" }, t("coaching.no_lines")));
      return;
    }
    this.box.replaceChildren(
      ...this.lines.map((i) => {
        const [role, start, , text] = this.rows[i];
        const words = text.length > 40 ? `${text.slice(0, 40)}…` : text;
        return el(
          "span",
          { class: "chip", dataset: { line: i } },
          `${clock(start)} ${label("role", role)}: ${words}`,
          el("button", { type: "button", class: "link", title: t("coaching.remove_line"), "aria-label": t("coaching.remove_line"), onclick: () => this.set(this.lines.filter((n) => n !== i)) }, "×"),
        );
      }),
    );
  }
}

function findingOption(finding, k) {
  const where = finding.whole_call || finding.start_s === null || finding.start_s === undefined ? "" : ` ${clock(finding.start_s)}`;
  return el("option", { value: String(k) }, `${label("category", finding.category)}${where}`);
}

function assignForm(data, list, currentLine) {
  const finding = el("select", { id: "coaching-finding" }, el("option", { value: "" }, t("coaching.whole_call")), data.findings.map(findingOption));
  const focus = el("textarea", { id: "coaching-focus", rows: 2, required: true, maxlength: 2000, placeholder: t("coaching.focus_placeholder") });
  const due = el("input", { type: "date", id: "coaching-due", required: true, min: inDays(0), value: inDays(DEFAULT_DAYS) });
  const chips = el("div", { class: "chips", id: "coaching-lines" });
  const picker = new LinePicker(chips, data.utterances);
  picker.render();
  const addLine = el("button", { type: "button", class: "link", id: "coaching-add-line" }, t("coaching.add_line"));
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const useFinding = (k) => {
    const chosen = data.findings[k];
    if (!chosen) return;
    finding.value = String(k);
    picker.set(chosen.lines || []);
    if (!focus.value.trim()) focus.value = t("coaching.focus_from", { category: label("category", chosen.category) });
  };
  finding.addEventListener("change", () => (finding.value === "" ? picker.set([]) : useFinding(Number(finding.value))));
  addLine.addEventListener("click", () => {
    const i = currentLine();
    if (i >= 0) picker.add(i);
    else showError(error, new Error(t("coaching.no_current_line")));
  });
  const form = el(
    "form",
    { id: "coaching-form", class: "coaching-form" },
    el("h3", {}, t("coaching.assign_title")),
    el("label", {}, t("coaching.from_finding"), finding),
    el("label", {}, t("coaching.focus"), focus),
    el("label", {}, t("coaching.due_on"), due),
    el("div", { class: "lines-field" }, el("span", { class: "field-label" }, t("coaching.lines")), chips, addLine),
    error,
    el("button", { type: "submit", class: "primary", id: "coaching-submit" }, t("coaching.assign")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const k = finding.value === "" ? null : data.findings[Number(finding.value)];
    try {
      const task = await api("POST", "/api/coaching", {
        call_id: data.call.id,
        finding_id: k ? k.id : null,
        focus: focus.value.trim(),
        due_on: due.value,
        lines: picker.lines,
      });
      const view = { ...task, can_act: false, can_coach: true };
      data.coaching.tasks.push(view);
      list.querySelector(".empty")?.remove();
      list.append(taskCard(view, { onLine: list.onLine, showCall: false }));
      notify(t("coaching.assigned_toast", { name: task.agent_name || task.agent_id || "" }));
      focus.value = "";
      finding.value = "";
      picker.set([]);
    } catch (failure) {
      showError(error, failure);
    }
  });
  return { form, useFinding };
}

/** Renders the panel; returns `coachFinding(k)`, which starts a task from finding k. */
export function setupCoaching(data, { currentLine, onLine }) {
  const panel = document.getElementById("coaching-panel");
  const list = document.getElementById("coaching-list");
  if (!panel || !data.coaching) return null;
  list.onLine = onLine;
  renderTasks(list, data.coaching.tasks, { onLine, showCall: false });
  if (!data.coaching.can_coach) return null;
  const { form, useFinding } = assignForm(data, list, currentLine);
  panel.append(form);
  return (k) => {
    useFinding(k);
    form.scrollIntoView({ block: "nearest" });
    document.getElementById("coaching-focus").focus();
  };
}
