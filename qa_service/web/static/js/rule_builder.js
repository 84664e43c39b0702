// The rule builder beside the editor: a pack's rule of a common type (a scorecard's item) as
// a form. The server reads the draft's rules (picking one fills the form) and writes the
// form's rule into the draft text (in place of the picked rule, else after the last one),
// keeping the rest of the text as it is; the editor then validates the draft as it does
// after any edit.

import { api, el, label, t } from "/static/js/common.js";
import { goToLine } from "/static/js/editor.js";

const READ_AFTER_MS = 700;
const source = document.getElementById("source");
const form = document.getElementById("rule-form");
const pick = document.getElementById("rule-pick");
const notInForm = document.getElementById("rule-not-form");
const written = document.getElementById("rule-written");
const kind = form.dataset.kind;
let rules = [];
let timer = 0;

/** The category's name in the page's language under its id, when the page knows one. */
function showCategory() {
  if (!form.elements.category || kind !== "pack") return;
  const value = form.elements.category.value.trim();
  const name = label("category", value);
  document.getElementById("category-label").textContent = name === value ? "" : name;
}

function showTypeFields() {
  const type = form.elements.type.value;
  for (const node of form.querySelectorAll("[data-types]")) {
    node.hidden = !node.dataset.types.split(" ").includes(type);
  }
}

function clearErrors() {
  for (const node of form.querySelectorAll("[data-error-for]")) {
    node.hidden = true;
    node.textContent = "";
    node.closest(".rule-field")?.classList.remove("invalid");
  }
}

function showErrors(errors) {
  clearErrors();
  for (const error of errors) {
    const node = form.querySelector(`[data-error-for="${error.field}"]`) || form.querySelector('[data-error-for="rule"]');
    node.textContent = node.textContent ? `${node.textContent}\n${error.message}` : error.message;
    node.hidden = false;
    node.closest(".rule-field")?.classList.add("invalid");
  }
  form.querySelector(".rule-field.invalid input, .rule-field.invalid select, .rule-field.invalid textarea")?.focus();
}

function fill(values) {
  form.reset();
  for (const [name, value] of Object.entries(values || {})) {
    const field = form.elements[name];
    if (!field) continue;
    if (field.type === "checkbox") field.checked = value !== false;
    else field.value = value === null || value === undefined ? "" : String(value);
  }
  showTypeFields();
  showCategory();
}

function values() {
  const out = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    if (field.type === "checkbox") out[field.name] = field.checked;
    else if (field.type === "number") out[field.name] = field.value === "" ? null : Number(field.value);
    else if (field.tagName === "SELECT") out[field.name] = field.value || null; // empty: the default
    else out[field.name] = field.value;
  }
  return out;
}

async function readRules() {
  try {
    const reply = await api("POST", "/qa/packs/rules", { kind, content: source.value });
    rules = reply.rules;
    const dimensions = document.getElementById("item-dimensions");
    dimensions?.replaceChildren(...reply.dimensions.map((d) => el("option", { value: d })));
  } catch {
    return; // the editor's own validation says what is wrong with the draft
  }
  const chosen = pick.value;
  const options = rules.map((r) => {
    const option = document.createElement("option");
    option.value = r.id;
    // The name people know it by; the id after it, as the text below writes it.
    option.textContent = r.name ? `${r.name} (${r.id})` : r.id;
    return option;
  });
  pick.replaceChildren(pick.options[0], ...options);
  pick.value = rules.some((r) => r.id === chosen) ? chosen : "";
}

function choose(id) {
  written.hidden = true;
  clearErrors();
  const rule = rules.find((r) => r.id === id);
  fill(rule?.form || {}); // resets the whole form, the picker too
  pick.value = id;
  notInForm.hidden = !rule || Boolean(rule.form);
  form.querySelector("#rule-write").disabled = Boolean(rule && !rule.form);
}

function ruleAtCursor() {
  const line = source.value.slice(0, source.selectionStart).split("\n").length;
  const rule = rules.find((r) => r.line <= line && line <= r.end_line);
  if (rule) choose(rule.id);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  written.hidden = true;
  clearErrors();
  let reply;
  try {
    reply = await api("POST", "/qa/packs/rules/write", { kind, content: source.value, rule: values(), replace: pick.value || null });
  } catch (failure) {
    showErrors([{ field: "rule", message: failure.message }]);
    return;
  }
  if (!reply.ok) {
    showErrors(reply.errors);
    return;
  }
  source.value = reply.content;
  source.dispatchEvent(new Event("input"));
  goToLine(reply.line);
  await readRules();
  pick.value = reply.rule_id;
  const message = `${kind === "pack" ? "rule" : "item"}_written${reply.draft_problems ? "_problems" : ""}`;
  written.textContent = t(message, { id: reply.rule_id, line: reply.line, n: reply.draft_problems });
  written.hidden = false;
});

form.elements.type.addEventListener("change", showTypeFields);
form.elements.category?.addEventListener("input", showCategory);
pick.addEventListener("change", () => choose(pick.value));
document.getElementById("rule-at-cursor").addEventListener("click", ruleAtCursor);
source.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(readRules, READ_AFTER_MS);
});

showTypeFields();
readRules();
