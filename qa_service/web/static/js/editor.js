// Rule pack and scorecard editor: line numbers, validation as you type (the server loads
// the document exactly as saving would), every problem marked on its line in place, then
// saving a new version through the API.

import { api, el, label, showError, t } from "/static/js/common.js";

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

function goToLine(line) {
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
