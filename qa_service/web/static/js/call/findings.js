// The findings list: what each rule found, why (the rule's explanation), what it cost, and
// what people did about it. QA marks each one confirmed or overturned; the agent disputes.

import { api, clock, el, label, labelOr, showError, t } from "/static/js/common.js";

function points(value) {
  if (!value) return "0";
  return value > 0 ? `+${value}` : String(value);
}

export class FindingsPanel {
  constructor(list, data, { onSelect, onDisputed, onCoach = null }) {
    this.list = list;
    this.data = data;
    this.findings = data.findings;
    this.dimensionNames = Object.fromEntries((data.dimensions || []).map((d) => [d.id, d.name]));
    this.callId = data.call.id;
    this.canReview = data.can.review;
    this.canDispute = data.can.dispute;
    this.onSelect = onSelect;
    this.onDisputed = onDisputed;
    this.onCoach = onCoach;
    this.selected = -1;
    this.filter = "";
    this.items = [];
    // finding id -> {verdict, reason}: this reviewer's marks, starting from the stored ones.
    this.verdicts = new Map();
    for (const f of this.findings) {
      if (f.verdict) this.verdicts.set(f.id, { verdict: f.verdict, reason: f.verdict_reason || "" });
    }
    list.addEventListener("click", (event) => this.clicked(event));
    list.addEventListener("keydown", (event) => this.keyed(event));
  }

  render() {
    const fragment = document.createDocumentFragment();
    this.items = this.findings.map((f, k) => this.item(f, k));
    fragment.append(...this.items);
    this.list.replaceChildren(fragment);
    if (!this.findings.length) this.list.append(el("li", { class: "empty" }, t("no_findings")));
    this.applyFilter(this.filter);
  }

  item(f, k) {
    const mark = this.verdicts.get(f.id);
    const node = el(
      "li",
      {
        class: `finding sev-${f.severity}${mark ? ` verdict-${mark.verdict}` : ""}${k === this.selected ? " selected" : ""}`,
        dataset: { k, id: f.id, severity: f.severity },
        id: `finding-${f.id}`,
        // Focusable, so the keys go back to the list when the reason is done.
        tabindex: -1,
      },
      el(
        "div",
        { class: "finding-head" },
        el("span", { class: `badge sev-${f.severity}` }, label("severity", f.severity)),
        // The rule's name in the reader's language, never its id (issue 15).
        el("strong", { class: "rule-name", dataset: { rule: f.rule_id } }, f.rule_name || label("category", f.category)),
        !f.whole_call && f.start_s !== null && f.start_s !== undefined
          ? el("button", { type: "button", class: "ts", dataset: { action: "seek" } }, clock(f.start_s))
          : el("span", { class: "muted" }, t("whole_call")),
        el("span", { class: `points${f.points < 0 ? " lost" : ""}`, title: t("points_title") },
          t("points", { points: points(f.points) })),
      ),
      // Fewer points than the item gives: say why, so "0 pts" on a critical finding reads right.
      f.limit
        ? el("p", { class: "limit-note small" }, t(`why.reason.${f.limit.reason}`, { max: f.limit.max_points ?? "" }))
        : null,
      el("p", { class: "why" }, f.description || f.rule_name || label("category", f.category)),
      // A question's text is the model's justification, not words a party said.
      f.text ? el("blockquote", {}, f.category === "question" ? f.text : `${label("role", f.role)}: ${f.text}`) : null,
      el(
        "div",
        { class: "tags" },
        // The category beside the rule's name, unless the name already says it.
        f.rule_name && f.rule_name.toLowerCase() !== label("category", f.category).toLowerCase()
          ? el("span", { class: "tag category" }, label("category", f.category))
          : null,
        f.critical ? el("span", { class: "badge sev-critical" }, t("critical")) : null,
        ...f.dimensions.map((d) => el("span", { class: "tag" }, labelOr("dimension", d, this.dimensionNames[d]))),
        mark ? el("span", { class: `badge verdict ${mark.verdict}` }, label("verdict", mark.verdict)) : null,
        f.disputed ? el("span", { class: "badge warn" }, t("disputed")) : null,
      ),
      // Reviewers see the reason in its field; everyone else reads it here.
      !this.canReview && mark?.verdict === "overturned" && mark.reason ? el("p", { class: "reason" }, mark.reason) : null,
      this.actions(f),
    );
    return node;
  }

  actions(f) {
    const box = el("div", { class: "finding-actions" });
    if (this.canReview) {
      const mark = this.verdicts.get(f.id);
      box.append(
        el("button", { type: "button", dataset: { action: "confirm" }, title: "c" }, t("confirm")),
        el("button", { type: "button", dataset: { action: "overturn" }, title: "o" }, t("overturn")),
        el("input", {
          class: "overturn-reason",
          placeholder: t("overturn_reason"),
          value: mark?.verdict === "overturned" ? mark.reason : "",
          hidden: mark?.verdict !== "overturned",
          "aria-label": t("overturn_reason"),
        }),
      );
    }
    if (this.canDispute && !f.disputed && f.verdict !== "overturned") {
      box.append(el("button", { type: "button", dataset: { action: "dispute" }, title: "d" }, t("dispute")));
    }
    if (this.data.coaching?.can_coach) {
      box.append(el("button", { type: "button", class: "coach-finding", dataset: { action: "coach" } }, t("coaching.coach_finding")));
    }
    return box.childElementCount ? box : null;
  }

  applyFilter(severity) {
    this.filter = severity;
    for (const node of this.items) node.hidden = Boolean(severity) && node.dataset.severity !== severity;
  }

  clicked(event) {
    const node = event.target.closest(".finding");
    if (!node) return;
    const k = Number(node.dataset.k);
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "confirm") this.mark(k, "confirmed");
    else if (action === "overturn") this.mark(k, "overturned");
    else if (action === "dispute") this.openDispute(k);
    else if (action === "coach") this.onCoach?.(k);
    else if (event.target.closest("input, textarea, form")) return;
    else this.select(k);
  }

  /** Enter or Esc in an overturn reason keeps the reason and hands the keys back to the
   * list, so the next j / k moves on instead of being typed into the reason. Shift+Enter
   * stays the page's "submit the review"; Enter that confirms an IME composition (Chinese
   * input) is the input method's, not ours. */
  keyed(event) {
    const input = event.target.closest?.(".overturn-reason");
    if (!input || event.isComposing || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "Enter" && event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation();
    this.saveReason(Number(input.closest(".finding").dataset.k));
  }

  saveReason(k) {
    this.refresh(k);
    this.items[k].focus({ preventScroll: true });
    this.list.dispatchEvent(new CustomEvent("verdicts-changed"));
  }

  select(k, { seek = true, keepPage = false } = {}) {
    if (k < 0 || k >= this.findings.length) return;
    this.items[this.selected]?.classList.remove("selected");
    this.selected = k;
    const node = this.items[k];
    node.classList.add("selected");
    // keepPage: only the list scrolls (a link to the finding keeps the player in view).
    if (keepPage) this.list.scrollTop = Math.max(0, node.offsetTop - this.list.offsetTop - this.list.clientHeight / 3);
    else node.scrollIntoView({ block: "nearest" });
    this.onSelect(this.findings[k], k, seek);
  }

  /** Next or previous finding among the visible ones (j / k). */
  step(direction) {
    let k = this.selected;
    for (let n = 0; n < this.findings.length; n++) {
      k = (k + direction + this.findings.length) % this.findings.length;
      if (!this.items[k].hidden) return this.select(k);
    }
  }

  mark(k, verdict) {
    if (!this.canReview || k < 0) return;
    const f = this.findings[k];
    const previous = this.verdicts.get(f.id);
    this.verdicts.set(f.id, { verdict, reason: verdict === "overturned" ? previous?.reason || "" : "" });
    this.refresh(k);
    if (verdict === "overturned") this.items[k].querySelector(".overturn-reason")?.focus();
    this.list.dispatchEvent(new CustomEvent("verdicts-changed"));
  }

  unmark(k) {
    if (!this.canReview || k < 0) return;
    this.verdicts.delete(this.findings[k].id);
    this.refresh(k);
    this.list.dispatchEvent(new CustomEvent("verdicts-changed"));
  }

  refresh(k) {
    this.readReasons();
    const fresh = this.item(this.findings[k], k);
    fresh.hidden = this.items[k].hidden;
    this.items[k].replaceWith(fresh);
    this.items[k] = fresh;
  }

  /** Reasons typed into the overturn fields, kept with the marks. */
  readReasons() {
    for (const node of this.items) {
      const input = node.querySelector(".overturn-reason");
      const mark = this.verdicts.get(Number(node.dataset.id));
      if (input && mark?.verdict === "overturned") mark.reason = input.value;
    }
  }

  counts() {
    this.readReasons();
    let confirmed = 0;
    let overturned = 0;
    for (const mark of this.verdicts.values()) mark.verdict === "overturned" ? overturned++ : confirmed++;
    return { confirmed, overturned, open: this.findings.length - confirmed - overturned };
  }

  /** "Needs a reason" beside the empty reason field, scrolled into the middle of the view
   * (the review panel's own message is often below the fold); it goes once typed into. */
  reasonNeeded(item) {
    const input = item.querySelector(".overturn-reason");
    if (!input) return;
    let note = item.querySelector(".reason-error");
    if (!note) {
      note = el("p", { class: "form-error reason-error", role: "alert", id: `reason-error-${item.dataset.id || ""}` });
      input.after(note);
      input.addEventListener("input", () => {
        note.hidden = Boolean(input.value.trim());
        input.toggleAttribute("aria-invalid", !note.hidden);
      });
    }
    note.textContent = t("reason_needed");
    note.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    item.scrollIntoView({ block: "center" });
    input.focus({ preventScroll: true });
  }

  /** The review body's verdicts; throws naming the first overturn without a reason. */
  reviewVerdicts() {
    this.readReasons();
    const verdicts = [];
    for (const [findingId, mark] of this.verdicts) {
      if (mark.verdict === "overturned" && !mark.reason.trim()) {
        const k = this.findings.findIndex((f) => f.id === findingId);
        this.select(k, { seek: false });
        this.reasonNeeded(this.items[k]);
        throw new Error(t("reason_needed"));
      }
      verdicts.push({ finding_id: findingId, verdict: mark.verdict, reason: mark.reason });
    }
    return verdicts;
  }

  openDispute(k) {
    const f = this.findings[k];
    if (!this.canDispute || f.disputed) return;
    const node = this.items[k];
    if (node.querySelector(".dispute-form")) {
      node.querySelector(".dispute-form textarea").focus();
      return;
    }
    const error = el("p", { class: "form-error", role: "alert", hidden: true });
    const reason = el("textarea", { rows: 3, required: true, placeholder: t("dispute_reason"), name: "reason" });
    const form = el(
      "form",
      { class: "dispute-form" },
      el("label", {}, t("dispute_reason"), reason),
      error,
      el("button", { type: "submit", class: "primary" }, t("send_dispute")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showError(error, null);
      try {
        const dispute = await api("POST", `/api/calls/${this.callId}/disputes`, {
          finding_id: f.id,
          reason: reason.value,
        });
        f.disputed = true;
        this.refresh(k);
        this.onDisputed(dispute);
      } catch (failure) {
        showError(error, failure);
      }
    });
    node.append(form);
    reason.focus();
  }
}
