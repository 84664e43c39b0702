// Rule pack and scorecard editor: line numbers, validation as you type (the server loads
// the document exactly as saving would), every problem marked on its line in place, then
// saving a new version through the API.

import { api, clock, el, label, showError, t } from "/static/js/common.js";

const VALIDATE_AFTER_MS = 700;
const form = document.getElementById("editor-form");
const source = document.getElementById("source");
const gutter = document.getElementById("gutter");
const layer = document.getElementById("marks-layer");
const problemsList = document.getElementById("problems");
const validity = document.getElementById("validity");
const saved = document.getElementById("saved");
const saveError = document.getElementById("save-error");
const kind = form.dataset.kind;
let timer = 0;
let lastProblems = [];

function lineCount() {
  return source.value.split("\n").length;
}

function lineHeight() {
  return parseFloat(getComputedStyle(source).lineHeight);
}

/** Problems of the edited document itself (a pack's problem may be in its scorecard). */
function ownProblems(problems) {
  return problems.filter((p) => p.line && (!p.file || !p.file.includes("/")));
}

function drawGutter() {
  const byLine = new Map();
  for (const p of ownProblems(lastProblems)) {
    if (!byLine.has(p.line)) byLine.set(p.line, []);
    byLine.get(p.line).push(p);
  }
  const numbers = [];
  const marks = [];
  const height = lineHeight();
  for (let n = 1; n <= lineCount(); n++) {
    const here = byLine.get(n);
    numbers.push(el("div", { class: here ? "err" : "", title: here ? here.map((p) => p.message).join("\n") : "" }, n));
    if (here) {
      marks.push(
        el("div", { class: "line-mark", style: `top:${(n - 1) * height}px;height:${height}px`, dataset: { line: n } },
          el("span", { class: "inline-problem" }, here.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join(" · "))),
      );
    }
  }
  gutter.replaceChildren(...numbers);
  layer.replaceChildren(...marks);
  syncScroll();
}

function syncScroll() {
  gutter.scrollTop = source.scrollTop;
  layer.style.transform = `translate(${-source.scrollLeft}px, ${-source.scrollTop}px)`;
}

export function goToLine(line) {
  const lines = source.value.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, text) => n + text.length + 1, 0);
  source.focus();
  source.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
  source.scrollTop = Math.max(0, (line - 3) * lineHeight());
  syncScroll();
}

function showProblems(result) {
  lastProblems = result.problems;
  validity.textContent = result.ok ? t("valid") : t("problems", { n: result.problems.length });
  validity.className = `badge ${result.ok ? "ok" : "overdue"}`;
  problemsList.replaceChildren(
    ...result.problems.map((p) =>
      el(
        "li",
        { class: "problem" },
        p.line
          ? el("button", { type: "button", class: "link", onclick: () => goToLine(p.line) },
              `${p.file || label("kind", kind)}:${p.line}`)
          : null,
        p.field ? el("code", {}, p.field) : null,
        el("span", {}, p.message),
      ),
    ),
  );
  drawGutter();
}

async function validate() {
  try {
    const result = await api("POST", "/qa/packs/validate", { kind, content: source.value });
    showProblems(result);
    return result;
  } catch (failure) {
    showError(saveError, failure);
    return null;
  }
}

source.addEventListener("input", () => {
  saved.hidden = true;
  drawGutter();
  clearTimeout(timer);
  timer = setTimeout(validate, VALIDATE_AFTER_MS);
});
source.addEventListener("scroll", syncScroll);
source.addEventListener("keydown", (event) => {
  if (event.key === "Tab") {
    // Two spaces, as YAML wants; Tab must not leave the editor.
    event.preventDefault();
    source.setRangeText("  ", source.selectionStart, source.selectionEnd, "end");
    source.dispatchEvent(new Event("input"));
  } else if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    form.requestSubmit();
  }
});
document.getElementById("validate").addEventListener("click", validate);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(saveError, null);
  saved.hidden = true;
  const result = await validate();
  if (!result?.ok) return;
  try {
    const path = kind === "pack" ? "/api/packs" : "/api/scorecards";
    const version = await api("POST", path, {
      content: source.value,
      comment: document.getElementById("version-comment").value,
    });
    saved.textContent = t("saved_version", { name: version.name, version: version.version });
    saved.hidden = false;
  } catch (failure) {
    showError(saveError, failure);
  }
});

drawGutter();
validate();

// Trying the draft on stored calls: what it would add and remove, before saving.
const tryRun = document.getElementById("try-run");

function findingItem(finding) {
  const at = finding.start === null || finding.start === undefined ? "" : ` · ${clock(finding.start)}`;
  // The rule's name first; its id stays beside it, small, for whoever edits the pack.
  const category = label("category", finding.category);
  const named = finding.rule_name ? `${finding.rule_name} · ${category}` : category;
  return el("li", {}, `${named}${at} `, el("code", { class: "muted", title: finding.rule_id }, finding.rule_id));
}

function scoreChange(before, after) {
  const shown = (v) => (v === null || v === undefined ? "-" : Number(v).toFixed(1));
  return `${shown(before)} → ${shown(after)}`;
}

async function tryPack() {
  const summary = document.getElementById("try-summary");
  const results = document.getElementById("try-results");
  tryRun.disabled = true;
  showError(saveError, null);
  try {
    const calls = Number(document.getElementById("try-calls").value) || 10;
    const reply = await api("POST", "/qa/packs/preview", { content: source.value, calls });
    if (reply.problems.length) {
      showProblems({ ok: false, problems: reply.problems });
      summary.textContent = t("try_problems");
      results.hidden = true;
    } else {
      const added = reply.calls.reduce((n, c) => n + c.added.length, 0);
      const removed = reply.calls.reduce((n, c) => n + c.removed.length, 0);
      summary.textContent = reply.calls.length
        ? t("try_summary", { calls: reply.calls.length, added, removed })
        : t("try_none", { name: reply.name });
      results.querySelector("tbody").replaceChildren(
        ...reply.calls.map((c) =>
          el("tr", { dataset: { call: c.call_id } },
            el("td", {}, el("a", { href: `/calls/${c.id}` }, c.call_id)),
            el("td", { class: "num" }, scoreChange(c.score_before, c.score_after)),
            el("td", { class: "added" }, el("ul", {}, c.added.map(findingItem))),
            el("td", { class: "removed" }, el("ul", {}, c.removed.map(findingItem)))),
        ),
      );
      results.hidden = !reply.calls.length;
    }
    summary.hidden = false;
  } catch (failure) {
    showError(saveError, failure);
  } finally {
    tryRun.disabled = false;
  }
}

tryRun?.addEventListener("click", tryPack);
