import { showError, t } from "/static/js/common.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(error, null);
  const reply = await fetch("/api/auth/session", {
    method: "POST",
    credentials: "same-origin",
    body: new URLSearchParams(new FormData(form)),
  });
  if (reply.ok) {
    window.location.assign(form.dataset.next || "/");
    return;
  }
  const message = reply.status === 401 ? t("login.failed") : `${reply.status}`;
  showError(error, new Error(message));
});
