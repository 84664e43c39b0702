// The dashboard's table and charts, drawn from the KPI report the page carries.
// Chart.js comes from the vendored UMD build (window.Chart).

import { clock, el, t } from "/static/js/common.js";

const data = JSON.parse(document.getElementById("dashboard-data").textContent);
const report = data.report;
const columns = data.columns;
const byId = Object.fromEntries(columns.map((c) => [c.id, c]));
const TIER_COLORS = { A: "#2e8b57", B: "#4f7cc9", C: "#d58a3a", D: "#c0392b" };
const LINE_COLORS = ["#4f7cc9", "#d58a3a", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#b7950b"];
const TREND_SERIES = 8;
const Chart = window.Chart;

export function format(value, unit) {
  if (value === null || value === undefined) return "-";
  if (unit === "ratio") return `${(value * 100).toFixed(1)}%`;
  if (unit === "seconds") return clock(value);
  if (unit === "count") return String(value);
  if (unit === "csat") return Number(value).toFixed(2);
  return Number(value).toFixed(1);
}

function value(row, id) {
  return id === "composite" ? row.composite : row.values[id];
}

function trendMark(row, id) {
  const trend = row.trends?.[id];
  if (!trend?.direction || trend.direction === "flat") return null;
  const arrow = trend.direction === "up" ? "▲" : "▼";
  const cls = trend.improving === null ? "" : trend.improving ? "good" : "bad";
  return el("span", { class: `trend ${cls}`, title: t("trend_delta", { delta: format(trend.delta, byId[id]?.unit) }) }, arrow);
}

const link = data.calls_link;

/** What a chart or a list calls a row: the agent's name (ids never replace names), else
 * the key itself (a team, a queue, an agent without an account). */
function rowLabel(row) {
  return link.names[row.key] || row.key;
}

/** A chart tooltip's title: the name, and the agent's id beside it for those who need it. */
function rowTitle(row) {
  const name = link.names[row.key];
  return name ? `${name} (${row.key})` : row.key;
}

/** The row's name, a link to its calls in the period where the calls list can filter by it. */
function rowName(row) {
  const name = link.names[row.key];
  const text = name ? [name, " ", el("span", { class: "muted small" }, row.key)] : [row.key];
  if (!link.param) return el("span", {}, ...text);
  const query = new URLSearchParams({ [link.param]: row.key, from: link.from, to: link.to });
  return el("a", { href: `/calls?${query}`, class: "row-calls", title: t("open_calls") }, ...text);
}

function tierCell(row) {
  if (row.small_sample) {
    const title = t("small_sample_title", { calls: row.values.calls, min: report.tier_min_calls });
    return el("span", { class: "badge warn small-sample", title }, t("small_sample"));
  }
  return row.tier ? el("span", { class: `tier tier-${row.tier}` }, row.tier) : "-";
}

function drawTable(showAll) {
  const shown = columns.filter((c) => showAll || c.main);
  const head = el(
    "tr",
    {},
    el("th", { class: "num" }, "#"),
    el("th", {}, t(`by_${report.by}`)),
    el("th", {}, t("team")),
    el("th", {}, t("tier")),
    shown.map((c) => el("th", { class: "num", title: c.description }, c.label)),
  );
  const rows = report.rows.map((row) =>
    el(
      "tr",
      { dataset: { key: row.key }, class: row.anomaly ? "anomaly" : "" },
      el("td", { class: "num" }, row.rank ?? "-"),
      el("td", { class: "row-name" }, rowName(row), " ",
        el("button", { type: "button", class: "link small", dataset: { key: row.key }, title: t("show_distribution") }, t("distribution_short"))),
      el("td", {}, row.team ?? "-"),
      el("td", {}, tierCell(row)),
      shown.map((c) =>
        el(
          "td",
          { class: `num${c.id === "aht_s" && row.anomaly ? " flag" : ""}` },
          format(value(row, c.id), c.unit),
          c.id === "aht_s" && row.anomaly ? el("span", { class: "badge overdue", title: t(`anomaly_${row.anomaly.kind}`) }, "!") : null,
          row.trends?.[c.id] ? trendMark(row, c.id) : null,
        ),
      ),
    ),
  );
  document.getElementById("kpi-table").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

function drawAnomalies() {
  const list = document.getElementById("anomalies");
  const flagged = report.rows.filter((r) => r.anomaly);
  list.replaceChildren(
    ...(flagged.length
      ? flagged.map((r) =>
          el(
            "li",
            { class: `anomaly ${r.anomaly.kind}` },
            el("strong", {}, rowLabel(r)),
            " ",
            t(`anomaly_${r.anomaly.kind}_text`, {
              change: `${Math.abs(r.anomaly.change * 100).toFixed(0)}%`,
              aht: clock(r.anomaly.aht_s),
              baseline: clock(r.anomaly.baseline_s),
            }),
          ),
        )
      : [el("li", { class: "muted" }, t("no_anomalies"))]),
  );
}

function rankingChart() {
  const ranked = report.rows.filter((r) => r.composite !== null).slice(0, 30);
  return new Chart(document.getElementById("ranking-chart"), {
    type: "bar",
    data: {
      labels: ranked.map(rowLabel),
      datasets: [
        {
          label: byId.composite.label,
          data: ranked.map((r) => r.composite),
          backgroundColor: ranked.map((r) => TIER_COLORS[r.tier] || "#8a8f98"),
        },
      ],
    },
    options: {
      indexAxis: "y",
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { min: 0, max: 100 } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => rowTitle(ranked[items[0].dataIndex]) } },
      },
    },
  });
}

function trendChart(kpi) {
  const unit = byId[kpi]?.unit;
  const rows = report.rows.slice(0, TREND_SERIES);
  return new Chart(document.getElementById("trend-chart"), {
    type: "line",
    data: {
      labels: report.periods,
      datasets: rows.map((r, i) => ({
        label: rowLabel(r),
        data: r.history[kpi] || [],
        borderColor: LINE_COLORS[i % LINE_COLORS.length],
        backgroundColor: LINE_COLORS[i % LINE_COLORS.length],
        spanGaps: true,
        tension: 0.2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { ticks: { callback: (v) => format(v, unit) } } },
      plugins: {
        tooltip: { callbacks: { label: (c) => `${rowTitle(rows[c.datasetIndex])}: ${format(c.parsed.y, unit)}` } },
      },
    },
  });
}

function histogramOf(key) {
  if (key) return data.histograms[key] || new Array(data.buckets).fill(0);
  const total = new Array(data.buckets).fill(0);
  for (const counts of Object.values(data.histograms)) counts.forEach((n, i) => (total[i] += n));
  return total;
}

function distributionChart() {
  const labels = Array.from({ length: data.buckets }, (_, i) => `${i * 10}–${i === data.buckets - 1 ? 100 : i * 10 + 9}`);
  return new Chart(document.getElementById("distribution-chart"), {
    type: "bar",
    data: { labels, datasets: [{ label: t("calls"), data: histogramOf(null), backgroundColor: "#4f7cc9" }] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
    },
  });
}

drawTable(false);
drawAnomalies();
document.getElementById("all-columns").addEventListener("change", (event) => drawTable(event.target.checked));

if (Chart) {
  rankingChart();
  const select = document.getElementById("trend-kpi");
  for (const kpi of data.trend_kpis) select.append(el("option", { value: kpi }, byId[kpi]?.label || kpi));
  let trend = trendChart(select.value);
  select.addEventListener("change", () => {
    trend.destroy();
    trend = trendChart(select.value);
  });
  const distribution = distributionChart();
  const of = document.getElementById("distribution-of");
  of.textContent = t("all_rows");
  document.getElementById("kpi-table").addEventListener("click", (event) => {
    const key = event.target.closest("button[data-key]")?.dataset.key;
    if (!key) return;
    const shownKey = link.names[key] || key;
    const same = of.textContent === shownKey;
    distribution.data.datasets[0].data = histogramOf(same ? null : key);
    of.textContent = same ? t("all_rows") : shownKey;
    distribution.update();
  });
  document.body.dataset.charts = "ready";
}
