// The transcript as a dialogue: thousands of lines stay cheap because lines are built in
// batches between frames, the browser skips laying out lines out of view
// (content-visibility in the CSS), clicks are handled once on the container, and the
// playing line is found by binary search over the start times.

import { clock, el, label, t } from "/static/js/common.js";

const FIRST_BATCH = 200;
const BATCH = 600;
const FOLLOW_PAUSE_MS = 4000;

/** Index of the last value <= x in an ascending array, or -1. */
export function lastAtOrBefore(sorted, x) {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export class Transcript {
  constructor(container, rows, findings, { onSeek, onFindingClick }) {
    this.container = container;
    this.rows = rows;
    this.starts = Float64Array.from(rows, (r) => r[1] ?? 0);
    this.onSeek = onSeek;
    this.onFindingClick = onFindingClick;
    this.lines = new Array(rows.length);
    this.current = -1;
    this.follow = true;
    this.pausedUntil = 0;
    this.findingLines = this.mapFindings(findings);
    container.addEventListener("click", (event) => this.clicked(event));
    for (const kind of ["wheel", "touchmove", "keydown"]) {
      container.addEventListener(kind, () => (this.pausedUntil = performance.now() + FOLLOW_PAUSE_MS), {
        passive: true,
      });
    }
  }

  /** Line index -> indexes of the findings about that line (the server worked them out). */
  mapFindings(findings) {
    const byLine = new Map();
    findings.forEach((finding, k) => {
      for (const i of finding.lines || []) {
        if (!byLine.has(i)) byLine.set(i, []);
        byLine.get(i).push(k);
      }
    });
    return byLine;
  }

  line(i, findings) {
    const [role, start, , text, sentiment] = this.rows[i];
    const marks = this.findingLines.get(i) || [];
    const severities = new Set(marks.map((k) => findings[k].severity));
    const worst = ["critical", "major", "minor", "info"].find((s) => severities.has(s));
    const node = el(
      "div",
      {
        class: `line role-${role}${marks.length ? ` has-finding sev-${worst}` : ""}${
          sentiment === "negative" ? " negative" : ""
        }`,
        role: "listitem",
        dataset: { i },
      },
      el("button", { class: "ts", type: "button", title: t("seek_here") }, clock(start)),
      el("span", { class: "who" }, label("role", role)),
      el("span", { class: "text" }, text),
    );
    if (marks.length) {
      node.append(
        el(
          "span",
          { class: "marks" },
          // One chip per kind of finding: two rules finding "no empty" on one line read as
          // a duplicate; the chip selects the first, the findings list shows them all.
          marks.filter((k, n) => marks.findIndex((m) => findings[m].category === findings[k].category) === n).map((k) =>
            el(
              "button",
              { type: "button", class: `mark sev-${findings[k].severity}`, dataset: { finding: k } },
              label("category", findings[k].category),
            ),
          ),
        ),
      );
    }
    this.lines[i] = node;
    return node;
  }

  /** Builds every line; resolves when the last batch is in the page. */
  render(findings) {
    return new Promise((resolve) => {
      let next = 0;
      const batch = (size) => {
        const fragment = document.createDocumentFragment();
        const end = Math.min(this.rows.length, next + size);
        for (; next < end; next++) fragment.append(this.line(next, findings));
        this.container.append(fragment);
        if (next < this.rows.length) requestAnimationFrame(() => batch(BATCH));
        else resolve();
      };
      if (!this.rows.length) {
        this.container.append(el("p", { class: "empty" }, t("no_lines")));
        resolve();
        return;
      }
      batch(FIRST_BATCH);
    });
  }

  clicked(event) {
    const mark = event.target.closest(".mark");
    if (mark) {
      this.onFindingClick(Number(mark.dataset.finding));
      return;
    }
    const line = event.target.closest(".line");
    if (!line) return;
    const i = Number(line.dataset.i);
    this.pausedUntil = 0;
    this.onSeek(this.rows[i][1] ?? 0, i);
  }

  /** Highlight the line playing at `time`; keep it in view unless the user is scrolling. */
  highlight(time) {
    const i = lastAtOrBefore(this.starts, time + 0.05);
    if (i === this.current) return;
    this.lines[this.current]?.classList.remove("playing");
    this.current = i;
    const node = this.lines[i];
    if (!node) return;
    node.classList.add("playing");
    if (this.follow && performance.now() > this.pausedUntil) this.reveal(i);
  }

  reveal(i) {
    const node = this.lines[i];
    if (!node || node.offsetParent === null) return;
    const box = this.container;
    const top = node.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + node.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  flash(finding) {
    for (const node of this.container.querySelectorAll(".line.selected")) node.classList.remove("selected");
    const lines = finding.lines || [];
    for (const i of lines) this.lines[i]?.classList.add("selected");
    if (lines.length) this.reveal(lines[0]);
  }
}
