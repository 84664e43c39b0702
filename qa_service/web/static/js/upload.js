// Uploading many recordings: one request per file (so one bad file refuses only itself),
// two at a time, each with its own progress bar; then each call's analysis is followed.

import { api, el, label, showError, t } from "/static/js/common.js";

const PARALLEL = 2;
const POLL_MS = 3000;
const form = document.getElementById("upload-form");
const input = document.getElementById("files");
const start = document.getElementById("upload-start");
const error = document.getElementById("upload-error");
const table = document.getElementById("upload-list");
const tbody = table.querySelector("tbody");
const dropzone = document.getElementById("dropzone");
let chosen = [];

function size(bytes) {
  return bytes > 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function choose(files) {
  chosen = [...files];
  const limit = Number(form.dataset.maxFiles);
  showError(error, chosen.length > limit ? new Error(t("too_many_files", { max: limit })) : null);
  start.disabled = !chosen.length || chosen.length > limit;
  start.textContent = t("upload_n", { n: chosen.length });
}

input.addEventListener("change", () => choose(input.files));
for (const kind of ["dragenter", "dragover"]) {
  dropzone.addEventListener(kind, (event) => {
    event.preventDefault();
    dropzone.classList.add("over");
  });
}
dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
dropzone.addEventListener("drop", (event) => {
  event.preventDefault();
  dropzone.classList.remove("over");
  choose(event.dataTransfer.files);
});

function metadata() {
  const meta = {};
  for (const field of form.querySelectorAll(".meta-fields [name]")) {
    if (!field.value) continue;
    meta[field.name] = field.name === "started_at" ? new Date(field.value).toISOString() : field.value;
  }
  return meta;
}

function row(file) {
  const bar = el("progress", { max: 100, value: 0 });
  const status = el("td", { class: "status" }, t("waiting"));
  const score = el("td", { class: "num" }, "");
  const name = el("td", {}, file.name);
  const node = el("tr", {}, name, el("td", { class: "num" }, size(file.size)), el("td", {}, bar), status, score);
  tbody.append(node);
  return { node, bar, status, score, name };
}

function send(file, meta, view) {
  return new Promise((resolve) => {
    const body = new FormData();
    body.append("files", file, file.name);
    body.append("metadata", JSON.stringify(meta));
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
        view.name.replaceChildren(el("a", { href: `/calls/${uploaded.call.id}` }, file.name));
        view.status.textContent = uploaded.created ? label("status", uploaded.call.status) : t("duplicate");
        resolve(uploaded.call);
      } else {
        view.node.classList.add("failed");
        view.status.textContent = reply.error?.message || `${request.status}`;
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
    view.status.textContent = label("status", call.status);
  }
  if (call?.status === "failed") view.status.textContent = `${label("status", "failed")}: ${call.error || ""}`;
  const value = call?.reviewed_score ?? call?.score_total;
  if (value !== null && value !== undefined) view.score.textContent = Number(value).toFixed(1);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  start.disabled = true;
  table.hidden = false;
  const meta = metadata();
  const queue = chosen.map((file) => ({ file, view: row(file) }));
  const worker = async () => {
    while (queue.length) {
      const { file, view } = queue.shift();
      view.status.textContent = t("uploading");
      const call = await send(file, meta, view);
      follow(call, view);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  input.value = "";
  chosen = [];
  start.textContent = t("upload_n", { n: 0 });
});
