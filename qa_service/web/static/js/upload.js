// Uploading many recordings: one request per file (so one bad file refuses only itself),
// two at a time, each with its own progress bar; then each call's analysis is followed.
// Each file has its own agent, team and queue (picked from the values the service knows,
// filled from the shared fields, a CSV manifest, or by hand); a folder can be chosen or
// dropped whole.

import { api, el, errorText, showError, t } from "/static/js/common.js";

const PARALLEL = 2;
const POLL_MS = 3000;
// Per-file fields: the shared field each one defaults to.
const PER_FILE = { agent_id: "meta-agent", team: "meta-team", queue: "meta-queue" };
const STATE = {
  waiting: t("upload_waiting"),
  uploading: t("upload_uploading"),
  queued: t("upload_queued"),
  processing: t("upload_processing"),
  analysed: t("upload_analysed"),
  failed: t("upload_failed"),
  duplicate: t("upload_duplicate"),
};
// The upload API's refusals, said in the page's language (its message stays as the tooltip).
const REFUSED = {
  409: t("upload_refused_conflict"),
  413: t("upload_refused_size"),
  415: t("upload_refused_format"),
  422: t("upload_refused_content"),
};
const form = document.getElementById("upload-form");
const input = document.getElementById("files");
const folderInput = document.getElementById("folder");
const manifestInput = document.getElementById("manifest");
const start = document.getElementById("upload-start");
const error = document.getElementById("upload-error");
const table = document.getElementById("upload-list");
const tbody = table.querySelector("tbody");
const dropzone = document.getElementById("dropzone");
const manifestProblems = document.getElementById("manifest-problems");
const manifestSummary = document.getElementById("manifest-summary");
const formats = new Set(form.dataset.formats.split(","));
const HEADERS = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
let views = [];
let manifest = []; // rows {line, file, metadata, problems: [{field, text}]}

function size(bytes) {
  return bytes > 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function accepted(name) {
  return formats.has(name.split(".").pop().toLowerCase());
}

/** A per-file copy of a shared field: its first option (or an empty value) means "as above". */
function perFileField(name) {
  const shared = document.getElementById(PER_FILE[name]);
  const copy = shared.cloneNode(true);
  copy.removeAttribute("id");
  copy.name = name;
  copy.classList.add("per-file");
  if (copy.tagName === "SELECT") {
    copy.options[0].textContent = t("upload_as_above");
    copy.value = "";
  } else {
    copy.value = "";
    copy.placeholder = t("upload_as_above");
  }
  return copy;
}

function row(file, path) {
  const bar = el("progress", { max: 100, value: 0 });
  const status = el("td", { class: "status" }, STATE.waiting);
  const score = el("td", { class: "num score" });
  const problems = el("ul", { class: "problems small", hidden: true });
  const name = el("td", { class: "file" }, el("span", { class: "file-name" }, path), problems);
  const fields = Object.fromEntries(Object.keys(PER_FILE).map((k) => [k, perFileField(k)]));
  const cells = Object.values(fields).map((field) => el("td", {}, field));
  const node = el("tr", { dataset: { file: path } }, name, ...cells, el("td", { class: "num" }, size(file.size)), el("td", {}, bar), status, score);
  // On a phone the rows are cards without the header: each cell says what it is.
  [...node.children].forEach((cell, i) => (cell.dataset.label = HEADERS[i]));
  const view = { file, path, node, bar, status, score, name, fields, problems, extra: {}, issues: [] };
  fields.agent_id.addEventListener("change", () => {
    const team = fields.agent_id.selectedOptions[0]?.dataset.team;
    if (team && [...fields.team.options].some((o) => o.value === team)) fields.team.value = team;
    setIssues(view, view.issues.filter((i) => i.field !== "agent_id" && i.field !== "team"));
  });
  fields.team.addEventListener("change", () => setIssues(view, view.issues.filter((i) => i.field !== "team")));
  return view;
}

function setIssues(view, issues) {
  view.issues = issues;
  view.problems.replaceChildren(...issues.map((i) => el("li", {}, i.text)));
  view.problems.hidden = !issues.length;
  view.node.classList.toggle("has-problems", issues.length > 0);
  ready();
}

function ready() {
  const limit = Number(form.dataset.maxFiles);
  const blocked = views.some((v) => v.issues.length);
  const tooMany = views.length > limit;
  showError(error, tooMany ? new Error(t("too_many_files", { max: limit })) : blocked ? new Error(t("upload_fix_rows")) : null);
  start.disabled = !views.length || tooMany || blocked;
  start.textContent = t("upload_n", { n: views.length });
}

function choose(found) {
  const files = found.filter(({ file }) => accepted(file.name));
  views = files.map(({ file, path }) => row(file, path));
  tbody.replaceChildren(...views.map((v) => v.node));
  table.hidden = !views.length;
  document.getElementById("per-file-help").hidden = !views.length;
  applyManifest();
  ready();
}

const picked = (list) => [...list].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
input.addEventListener("change", () => choose(picked(input.files)));
folderInput.addEventListener("change", () => choose(picked(folderInput.files)));

// A dropped folder is read entry by entry (readEntries gives at most 100 at a time).
function readAll(reader) {
  return new Promise((resolve, reject) => {
    const all = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function entryFiles(entry) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ file, path: entry.fullPath.replace(/^\//, "") }];
  }
  const children = await readAll(entry.createReader());
  return (await Promise.all(children.map(entryFiles))).flat();
}

for (const kind of ["dragenter", "dragover"]) {
  dropzone.addEventListener(kind, (event) => {
    event.preventDefault();
    dropzone.classList.add("over");
  });
}
dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
dropzone.addEventListener("drop", async (event) => {
  event.preventDefault();
  dropzone.classList.remove("over");
  const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return choose(picked(event.dataTransfer.files));
  choose((await Promise.all(entries.map(entryFiles))).flat());
});

// The shared agent fills in the shared team, as a per-file agent fills in its row's.
document.getElementById("meta-agent").addEventListener("change", (event) => {
  const team = event.target.selectedOptions[0]?.dataset.team;
  const shared = document.getElementById("meta-team");
  if (team && [...shared.options].some((o) => o.value === team)) shared.value = team;
});

function matches(view, file) {
  return view.path === file || view.file.name === file || view.path.endsWith(`/${file}`);
}

/** The manifest's rows onto the chosen files: known values into the row's fields, the rest
 * kept for the upload, every problem shown on its row. */
function applyManifest() {
  const unmatched = [];
  for (const view of views) {
    view.extra = {};
    setIssues(view, []);
  }
  for (const entry of manifest) {
    const view = views.find((v) => matches(v, entry.file));
    if (!view) {
      unmatched.push(entry);
      continue;
    }
    const { agent_id, team, queue, ...rest } = entry.metadata;
    view.extra = rest;
    for (const [name, value] of Object.entries({ agent_id, team, queue })) {
      const field = view.fields[name];
      if (!value) continue;
      if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value)) field.value = value;
    }
    setIssues(view, entry.problems);
  }
  const notes = unmatched.map((u) => t("upload_manifest_unmatched", { line: u.line, file: u.file }));
  manifestProblems.replaceChildren(...notes.map((n) => el("li", {}, n)));
  manifestProblems.hidden = !notes.length;
}

manifestInput.addEventListener("change", async () => {
  const file = manifestInput.files[0];
  document.getElementById("manifest-name").textContent = file ? file.name : "";
  manifest = [];
  manifestSummary.hidden = true;
  if (!file) return choose(views.map(({ file: f, path }) => ({ file: f, path })));
  try {
    const reply = await api("POST", "/qa/upload/manifest", { text: await file.text() });
    if (reply.error) throw new Error(reply.error);
    manifest = reply.rows;
    const bad = manifest.filter((r) => r.problems.length).length;
    manifestSummary.textContent = t("upload_manifest_rows", { n: manifest.length, bad });
    manifestSummary.hidden = false;
    showError(error, null);
  } catch (failure) {
    manifestInput.value = "";
    document.getElementById("manifest-name").textContent = "";
    showError(error, failure);
  }
  applyManifest();
  ready();
});

function metadata(view) {
  const meta = {};
  for (const field of form.querySelectorAll(".meta-fields [name]")) {
    if (!field.value) continue;
    meta[field.name] = field.name === "started_at" ? new Date(field.value).toISOString() : field.value;
  }
  Object.assign(meta, view.extra);
  for (const [name, field] of Object.entries(view.fields)) if (field.value) meta[name] = field.value;
  return meta;
}

function send(view) {
  return new Promise((resolve) => {
    const body = new FormData();
    body.append("files", view.file, view.file.name);
    body.append("metadata", JSON.stringify(metadata(view)));
    const request = new XMLHttpRequest();
    request.open("POST", "/api/calls");
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) view.bar.value = Math.round((100 * event.loaded) / event.total);
    });
    request.addEventListener("load", () => {
      const reply = request.response || {};
      if (request.status >= 200 && request.status < 300) {
        view.bar.value = 100;
        const uploaded = reply.calls[0];
        view.name.firstChild.replaceWith(el("a", { href: `/calls/${uploaded.call.id}` }, view.path));
        view.status.textContent = uploaded.created ? STATE[uploaded.call.status] : STATE.duplicate;
        resolve(uploaded.call);
      } else {
        view.node.classList.add("failed");
        view.status.textContent = REFUSED[request.status] || STATE.failed;
        view.status.title = errorText(reply.error);
        resolve(null);
      }
    });
    request.addEventListener("error", () => {
      view.node.classList.add("failed");
      view.status.textContent = t("network_error");
      resolve(null);
    });
    request.send(body);
  });
}

async function follow(call, view) {
  while (call && ["queued", "processing"].includes(call.status)) {
    await new Promise((wake) => setTimeout(wake, POLL_MS));
    try {
      call = await api("GET", `/api/calls/${call.id}`);
    } catch {
      return;
    }
    view.status.textContent = STATE[call.status] || STATE.failed;
  }
  if (call?.status === "failed") {
    view.status.textContent = STATE.failed;
    view.status.title = call.error || "";
  }
  const value = call?.reviewed_score ?? call?.score_total;
  if (value !== null && value !== undefined) view.score.textContent = Number(value).toFixed(1);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  start.disabled = true;
  const queue = [...views];
  for (const view of queue) for (const field of Object.values(view.fields)) field.disabled = true;
  const worker = async () => {
    while (queue.length) {
      const view = queue.shift();
      view.status.textContent = STATE.uploading;
      const call = await send(view);
      follow(call, view);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  input.value = "";
  folderInput.value = "";
  views = [];
  start.textContent = t("upload_n", { n: 0 });
});
