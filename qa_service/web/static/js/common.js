// Shared helpers: messages, API calls with the session cookie, small DOM builders.

const MESSAGES = JSON.parse(document.getElementById("i18n")?.textContent || "{}");

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_m, name) => (name in values ? String(values[name]) : `{${name}}`));
}

/** The page's message for `key` ("js." prefix added), with {name} placeholders filled. */
export function t(key, values = {}) {
  return fill(MESSAGES[`js.${key}`] ?? key, values);
}

/** A service error (`{code, message, key?, values?}`) in the page's language when its key
 * is a known one, else as the service said it. */
export function errorText(error) {
  const known = error?.key && MESSAGES[error.key];
  return known ? fill(known, error.values || {}) : error?.message || "";
}

/** A stored value's label (a category, a role) when the page knows one, else the value. */
export function label(prefix, value) {
  return MESSAGES[`js.${prefix}.${value}`] ?? value ?? "";
}

/** A stored id's name in the page's language when the page knows one (a scorecard's
 * dimension), else the name it came with, else the id: ids never replace names. */
export function labelOr(prefix, value, fallback) {
  return MESSAGES[`js.${prefix}.${value}`] ?? (fallback || value || "");
}

export class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

/** JSON in, JSON out; a non-2xx answer throws ApiError with the server's one-line message. */
export async function api(method, url, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const reply = await fetch(url, init);
  const text = await reply.text();
  const data = text ? JSON.parse(text) : null;
  if (!reply.ok) {
    const error = data?.error || {};
    throw new ApiError(reply.status, errorText(error) || `${reply.status} ${reply.statusText}`, error.details);
  }
  return data;
}

/** el("div", {class: "x", onclick: f}, "text", child) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** 65 -> "1:05", 3723 -> "1:02:03" */
export function clock(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "-";
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang, {
  dateStyle: "medium",
  timeStyle: "short",
});

export function localTime(iso) {
  if (!iso) return "-";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso : dateFormat.format(moment);
}

/** Times the server wrote in UTC, shown in the browser's own time zone. */
export function localizeTimes(root = document) {
  for (const node of root.querySelectorAll("time[data-local]")) {
    node.title = node.textContent;
    node.textContent = localTime(node.getAttribute("datetime"));
  }
}

export function showError(node, error) {
  if (!node) return;
  node.textContent = error ? error.message || String(error) : "";
  node.hidden = !error;
}

/** True when a key press belongs to a text field, not to the page's shortcuts. */
export function typing(event) {
  const target = event.target;
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

/** Filter forms that apply on change: the pages carry no inline handlers (the CSP forbids
 * them), so the fields that submit their form are marked `data-autosubmit`. */
for (const field of document.querySelectorAll("[data-autosubmit]")) {
  field.addEventListener("change", () => field.form?.requestSubmit());
}

localizeTimes();

/** The phone's menu: the button folds the navigation, the languages and the account away. */
const menuToggle = document.getElementById("menu-toggle");
menuToggle?.addEventListener("click", () => {
  const open = menuToggle.closest(".topbar").classList.toggle("menu-open");
  menuToggle.setAttribute("aria-expanded", String(open));
});

/** Each data cell carries its column's header as `data-label`, so on a phone, where the
 * stylesheet turns a table's rows into cards and hides the header row, a value still says
 * what it is. Tables the scripts build or rebuild later are labelled when they change. */
export function labelCells(table) {
  const headers = [...(table.tHead?.rows[0]?.cells || [])].map((cell) => cell.textContent.trim());
  if (!headers.length) return;
  table.classList.add("cards");
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        const header = headers[column];
        if (header && cell.colSpan === 1 && !cell.hasAttribute("data-label")) cell.dataset.label = header;
        column += cell.colSpan;
      }
    }
  }
}

for (const table of document.querySelectorAll("table.grid")) {
  labelCells(table);
  new MutationObserver(() => labelCells(table)).observe(table, { childList: true, subtree: true });
}

const FLASH_KEY = "qa-flash";

/** A message for the next page this tab shows (a review saved, then the next call opens). */
export function flash(message) {
  sessionStorage.setItem(FLASH_KEY, message);
}

/** The message a page left for this one, shown for a few seconds. */
function showFlash() {
  const message = sessionStorage.getItem(FLASH_KEY);
  if (!message) return;
  sessionStorage.removeItem(FLASH_KEY);
  const toast = el("div", { class: "toast", id: "flash", role: "status" }, message);
  document.body.append(toast);
  setTimeout(() => toast.remove(), 6000);
}

showFlash();
