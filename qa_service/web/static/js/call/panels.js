// The side panels: score by dimension, the agent's acknowledgement and self-assessment,
// the disputes with their steps and deadlines, and QA's review form.

import { api, clock, el, flash, label, labelOr, localTime, showError, t } from "/static/js/common.js";

const STAGES = ["team_lead", "reviewer", "final"];

function fixed(value, digits = 1) {
  return value === null || value === undefined ? "-" : Number(value).toFixed(digits);
}

export function renderScore(table, data) {
  const own = data.self_assessment || {};
  const calibration = data.calibration?.dimensions || {};
  const head = el(
    "tr",
    {},
    el("th", {}, t("dimension")),
    el("th", { class: "num" }, t("weight")),
    el("th", { class: "num" }, t("machine")),
    el("th", { class: "num" }, t("reviewed")),
    el("th", { class: "num" }, t("lost")),
    el("th", { class: "num" }, t("self")),
  );
  const rows = data.dimensions.map((d) => {
    const gap = calibration[d.id]?.gap;
    const flagged = gap !== null && gap !== undefined && data.calibration.flag && gap > 15;
    return el(
      "tr",
      { dataset: { dimension: d.id } },
      el("td", {}, labelOr("dimension", d.id, d.name)),
      el("td", { class: "num" }, fixed(d.weight, 0)),
      el("td", { class: "num" }, fixed(d.score)),
      el("td", { class: "num" }, fixed(d.reviewed_score)),
      el("td", { class: "num lost" }, d.lost ? `-${fixed(d.lost)}` : "0"),
      el("td", { class: `num${flagged ? " warn" : ""}`, title: gap !== null && gap !== undefined ? t("gap", { gap }) : "" },
        fixed(own[d.id])),
    );
  });
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

export function setupAgentPanel(data, onChange) {
  const panel = document.getElementById("agent-panel");
  if (!panel) return;
  const error = document.getElementById("agent-error");
  const ok = document.getElementById("agent-ok");
  const ackButton = document.getElementById("acknowledge");
  const ackState = document.getElementById("ack-state");
  const acknowledged = () => {
    ackButton.disabled = true;
    ackButton.textContent = t("acknowledged");
    ackState.textContent = t("acknowledged");
    ackState.classList.add("ok");
  };
  if (data.call.acknowledged_at) acknowledged();
  ackButton.addEventListener("click", async () => {
    showError(error, null);
    try {
      const call = await api("POST", `/api/calls/${data.call.id}/acknowledge`, { comment: "" });
      data.call.acknowledged_at = call.acknowledged_at;
      acknowledged();
    } catch (failure) {
      showError(error, failure);
    }
  });
  const fields = document.getElementById("self-assessment-fields");
  fields.replaceChildren(
    ...data.dimensions.map((d) =>
      el(
        "label",
        { class: "inline-field" },
        labelOr("dimension", d.id, d.name),
        el("input", {
          type: "number",
          min: 0,
          max: 100,
          step: 1,
          name: d.id,
          value: data.self_assessment?.[d.id] ?? "",
          placeholder: fixed(d.reviewed_score ?? d.score, 0),
        }),
      ),
    ),
  );
  document.getElementById("self-assessment").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    ok.hidden = true;
    const scores = {};
    for (const input of fields.querySelectorAll("input")) {
      if (input.value !== "") scores[input.name] = Number(input.value);
    }
    if (!Object.keys(scores).length) {
      showError(error, new Error(t("self_assess_empty")));
      return;
    }
    try {
      const rows = await api("PUT", `/api/calls/${data.call.id}/self-assessment`, { scores, comment: "" });
      data.self_assessment = Object.fromEntries(rows.map((r) => [r.dimension, r.score]));
      data.calibration = await api("GET", `/api/calls/${data.call.id}/calibration`).then((c) => ({
        flag: c.calibration_flag,
        dimensions: c.dimensions,
      }));
      ok.textContent = t("saved");
      ok.hidden = false;
      onChange();
    } catch (failure) {
      showError(error, failure);
    }
  });
}

function signed(value) {
  return value > 0 ? `+${fixed(value, 1)}` : value < 0 ? `−${fixed(-value, 1)}` : "0";
}

/** A finding as the explanation names it: its category and where it is. */
export function findingName(finding) {
  if (!finding) return "";
  const where = finding.whole_call || finding.start_s === null || finding.start_s === undefined ? "" : ` ${clock(finding.start_s)}`;
  return `${finding.rule_name || label("category", finding.category)}${where}`;
}

function byPosition(data, position) {
  return data.findings.find((f) => f.position === position);
}

/** "Why is my score 0?": the critical cap, the weighted mean, dimensions kept within
 * 0-100 and findings that counted less than their item's points, with the reason. */
export function renderExplanation(box, data) {
  const why = data.explanation;
  if (!box || !why) return;
  const dims = why.dimensions.map((d) => ({ ...d, label: labelOr("dimension", d.id, d.name) }));
  const lines = [];
  if (why.critical) {
    const items = why.critical.items.map((c) => findingName(byPosition(data, c.finding)) || c.name).join(", ");
    lines.push(el("p", { class: "why-critical" },
      t("why.critical", { items, total: fixed(why.total), without: fixed(why.critical.without_critical) })));
  } else {
    lines.push(el("p", { class: "muted" }, t("why.no_critical")));
  }
  const parts = dims.map((d) => `${d.label} ${fixed(d.score)}×${fixed(d.weight, 0)}`).join(" + ");
  const weights = dims.reduce((sum, d) => sum + d.weight, 0);
  lines.push(el("p", { class: "why-weighted" }, t("why.weighted", { total: fixed(why.weighted_total), parts, weights: fixed(weights, 0) })));
  const details = [
    ...dims.filter((d) => d.clamped).map((d) =>
      el("li", { class: "why-clamped" }, t("why.clamped", {
        name: d.label, base: fixed(d.base, 0), moved: signed(d.moved), raw: fixed(d.raw), score: fixed(d.score),
      }))),
    ...(why.limited_findings || []).map((x) =>
      el("li", { class: "why-limited", dataset: { finding: x.finding } }, t("why.limited", {
        finding: findingName(byPosition(data, x.finding)) || x.rule_name,
        points: signed(x.points),
        full: signed(x.full_points),
        reason: t(`why.reason.${x.reason}`, { max: fixed(x.max_points, 0) }),
      }))),
  ];
  if (details.length) lines.push(el("ul", { class: "why-details" }, details));
  box.replaceChildren(el("h3", {}, t("why.title")), ...lines);
}

function deadline(dispute) {
  if (dispute.status === "upheld" && dispute.appeal_until && new Date(dispute.appeal_until) > new Date()) {
    return el("span", { class: "badge warn appeal-until" }, t("appeal_until", { when: localTime(dispute.appeal_until) }));
  }
  if (dispute.status !== "open" || !dispute.due_at) return null;
  return el(
    "span",
    { class: `badge${dispute.overdue ? " overdue" : ""}` },
    dispute.overdue ? t("overdue_since", { when: localTime(dispute.due_at) }) : t("due", { when: localTime(dispute.due_at) }),
  );
}

function steps(dispute) {
  return el(
    "ol",
    { class: "steps" },
    STAGES.map((stage) => {
      // The latest step of the stage: an appeal can reopen a stage after an escalation.
      const step = [...dispute.steps].reverse().find((s) => s.stage === stage);
      const state = !step ? "todo" : step.decision ? "done" : "current";
      return el(
        "li",
        { class: `step ${state}` },
        el("strong", {}, label("stage", stage)),
        step?.decision
          ? el("span", {}, ` ${label("decision", step.decision)} · ${step.decided_by_name || ""} · ${localTime(step.decided_at)}`)
          : null,
        step && !step.decision ? el("span", {}, ` ${t("due", { when: localTime(step.due_at) })}`) : null,
      );
    }),
  );
}

/** Each party's statement and each ruling, oldest first: the agent's dispute and appeals,
 * the deciders' comments. */
export function threadView(dispute) {
  return el(
    "ol",
    { class: "thread" },
    (dispute.thread || []).map((entry) => {
      const who = entry.by_name || t("agent");
      const stage = label("stage", entry.stage);
      const head =
        entry.kind === "decision"
          ? t("thread.decision", { who, stage, decision: label("decision", entry.decision) })
          : t(`thread.${entry.kind}`, { who, stage });
      return el(
        "li",
        { class: `entry kind-${entry.kind}`, dataset: { kind: entry.kind } },
        el("div", { class: "entry-head" }, el("strong", {}, head), " ",
          el("time", { datetime: entry.at || "" }, localTime(entry.at))),
        el("p", { class: "reason" }, entry.text || t("thread.no_text")),
      );
    }),
  );
}

function decisionForm(dispute, onDone) {
  const comment = el("textarea", { rows: 2, required: true, placeholder: t("decision_comment"), name: "comment" });
  const choice = el(
    "select",
    { name: "decision" },
    ["uphold", "overturn", ...(dispute.stage === "final" ? [] : ["escalate"])].map((d) =>
      // The choice is an action ("uphold"); what was decided reads "upheld".
      el("option", { value: d }, label("decide", d)),
    ),
  );
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const form = el(
    "form",
    { class: "decision-form" },
    el("label", {}, t("decision"), choice),
    comment,
    error,
    el("button", { type: "submit", class: "primary" }, t("decide")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    try {
      await api("POST", `/api/disputes/${dispute.id}/decision`, { decision: choice.value, comment: comment.value });
      onDone();
    } catch (failure) {
      showError(error, failure);
    }
  });
  return form;
}

function appealForm(dispute, onDone) {
  const reason = el("textarea", { rows: 2, required: true, placeholder: t("appeal_reason") });
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const form = el("form", { class: "appeal-form" }, reason, error, el("button", { type: "submit" }, t("appeal")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/disputes/${dispute.id}/appeal`, { reason: reason.value });
      onDone();
    } catch (failure) {
      showError(error, failure);
    }
  });
  return form;
}

export function renderDisputes(box, data, onSelectFinding) {
  if (!data.disputes.length) {
    box.replaceChildren(el("p", { class: "muted" }, t("no_disputes")));
    return;
  }
  const reload = () => window.location.reload();
  box.replaceChildren(
    ...data.disputes.map((d) => {
      const k = data.findings.findIndex((f) => f.id === d.finding_id);
      return el(
        "article",
        { class: `dispute status-${d.status}`, dataset: { dispute: d.id } },
        el(
          "header",
          {},
          el("span", { class: `badge status-${d.status}` }, label("dispute_status", d.status)),
          el("button", { type: "button", class: "link", onclick: () => k >= 0 && onSelectFinding(k) },
            data.findings[k]?.rule_name || label("category", data.findings[k]?.category ?? d.category)),
          deadline(d),
        ),
        steps(d),
        threadView(d),
        d.can_decide ? decisionForm(d, reload) : null,
        d.can_appeal ? appealForm(d, reload) : null,
      );
    }),
  );
}

export function setupReviewPanel(data, findings, draft) {
  const panel = document.getElementById("review-panel");
  if (!panel) return null;
  const summary = document.getElementById("review-summary");
  const error = document.getElementById("review-error");
  const update = () => {
    const n = findings.counts();
    summary.textContent = t("review_counts", n);
  };
  findings.list.addEventListener("verdicts-changed", update);
  update();
  const history = document.getElementById("review-history");
  history.replaceChildren(
    ...data.reviews.map((r) =>
      el(
        "p",
        { class: `small${r.current ? "" : " muted"}` },
        t("review_line", {
          who: r.reviewer_name,
          kind: label("review_kind", r.kind),
          when: localTime(r.created_at),
          total: fixed(r.total),
        }),
        r.comment ? ` — ${r.comment}` : "",
      ),
    ),
  );
  const submit = async () => {
    showError(error, null);
    try {
      const body = {
        verdicts: findings.reviewVerdicts(),
        score_adjustment: Number(document.getElementById("review-adjustment").value || 0),
        comment: document.getElementById("review-comment").value,
      };
      await api("POST", `/api/calls/${data.call.id}/reviews`, body);
      draft?.clear();
      // Said on the page that comes next: the queue's next call, or this one again.
      flash(t("review_saved", { call: data.call.call_id }));
      const next = document.getElementById("queue-next");
      if (next) window.location.assign(next.href);
      else window.location.reload();
    } catch (failure) {
      showError(error, failure);
    }
  };
  document.getElementById("review-submit").addEventListener("click", submit);
  return submit;
}
