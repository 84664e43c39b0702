// Unsaved review marks survive leaving the page: a draft per call and reviewer in this
// browser's localStorage, restored on the next visit (after the language switch too), and a
// warning before the page is left with marks not yet submitted. Submitting clears it.

import { el, localTime, t } from "/static/js/common.js";

const PREFIX = "qa-review-draft";

function signature(verdicts) {
  return JSON.stringify([...verdicts.entries()].sort((a, b) => a[0] - b[0]));
}

function readDraft(key) {
  try {
    const draft = JSON.parse(window.localStorage.getItem(key) || "null");
    return draft && Array.isArray(draft.verdicts) ? draft : null;
  } catch {
    return null; // a damaged or foreign value: no draft
  }
}

export class ReviewDraft {
  constructor(data, findings) {
    this.findings = findings;
    this.key = `${PREFIX}:${data.user_id}:${data.call.id}`;
    this.adjustment = document.getElementById("review-adjustment");
    this.comment = document.getElementById("review-comment");
    this.notice = document.getElementById("draft-notice");
    // The marks as stored on the server: a draft is only what differs from them.
    this.stored = signature(findings.verdicts);
    this.leaving = false;
  }

  dirty() {
    this.findings.readReasons();
    return (
      signature(this.findings.verdicts) !== this.stored ||
      Number(this.adjustment.value || 0) !== 0 ||
      this.comment.value.trim() !== ""
    );
  }

  save() {
    try {
      if (!this.dirty()) {
        window.localStorage.removeItem(this.key);
        return;
      }
      const draft = {
        verdicts: [...this.findings.verdicts.entries()],
        adjustment: this.adjustment.value,
        comment: this.comment.value,
        saved_at: new Date().toISOString(),
      };
      window.localStorage.setItem(this.key, JSON.stringify(draft));
    } catch {
      // Storage full or disabled: the warning before leaving still protects the marks.
    }
  }

  /** Put a stored draft's marks back; true when there was one. */
  restore() {
    const draft = readDraft(this.key);
    if (!draft) return false;
    const known = new Set(this.findings.findings.map((f) => f.id));
    this.findings.verdicts = new Map(
      draft.verdicts.filter(([id, mark]) => known.has(id) && mark && ["confirmed", "overturned"].includes(mark.verdict)),
    );
    this.adjustment.value = draft.adjustment ?? "0";
    this.comment.value = draft.comment ?? "";
    this.findings.render();
    this.findings.list.dispatchEvent(new CustomEvent("verdicts-changed"));
    if (this.notice) {
      const discard = el("button", { type: "button", class: "link", id: "draft-discard" }, t("draft.discard"));
      discard.addEventListener("click", () => this.discard());
      this.notice.replaceChildren(t("draft.restored", { when: localTime(draft.saved_at) }), " ", discard);
      this.notice.hidden = false;
    }
    return true;
  }

  discard() {
    window.localStorage.removeItem(this.key);
    window.location.reload();
  }

  /** After a successful submit: nothing is left unsaved. */
  clear() {
    window.localStorage.removeItem(this.key);
    this.leaving = true;
  }

  /** Save on every change; warn before the page is left with unsubmitted marks. */
  watch() {
    const save = () => this.save();
    this.findings.list.addEventListener("verdicts-changed", save);
    this.findings.list.addEventListener("input", save);
    this.adjustment.addEventListener("input", save);
    this.comment.addEventListener("input", save);
    window.addEventListener("beforeunload", (event) => {
      if (this.leaving || !this.dirty()) return;
      this.save();
      event.preventDefault();
      event.returnValue = "";
    });
    // Links inside the app (the menu, the language switch, the queue): ask first, in words.
    document.addEventListener(
      "click",
      (event) => {
        const link = event.target.closest?.("a[href]");
        if (!link || link.target === "_blank" || event.defaultPrevented) return;
        const url = new URL(link.href, window.location.href);
        const samePage = url.pathname === window.location.pathname && url.search === window.location.search;
        if (url.origin !== window.location.origin || (samePage && url.hash) || !this.dirty()) return;
        this.save();
        if (window.confirm(t("draft.leave"))) this.leaving = true;
        else event.preventDefault();
      },
      true,
    );
  }
}
