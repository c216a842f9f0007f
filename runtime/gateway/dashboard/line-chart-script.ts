/**
 * Small SVG line charts for the traffic panel, appended to `/dashboard/app.js` (after the tasks
 * script, whose `svg` helper it uses), drawn at the width they are shown at so their text stays
 * at its size on any window: a time axis over the history's span ending now, a value
 * axis from zero with its unit, one line per series broken where a value is missing (an interval
 * without requests has no latency), a dot on each series' latest value, and that value printed
 * in the caption. Plain JavaScript; values are written as text, never as HTML.
 */
export const LINE_CHART_SCRIPT = String.raw`
const CHART = { w: 240, h: 92, left: 50, right: 8, top: 8, bottom: 16, min: 160, gap: 12 };

// Rates, shares and durations as people read them; latencies come in seconds, memory in bytes.
const FORMAT = {
  rate: (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + "/s",
  share: (v) => (v * 100).toFixed(v === 0 || v * 100 >= 10 ? 0 : 1) + " %",
  seconds: (v) => (v >= 1 ? v.toFixed(2) + " s" : v * 1000 >= 100 ? (v * 1000).toFixed(0) + " ms" : v * 1000 >= 1 ? (v * 1000).toFixed(1) + " ms" : (v * 1000).toFixed(2) + " ms"),
  megabytes: (v) => v.toFixed(v >= 10 ? 0 : 1) + " MB",
};

const spanText = (ms) => (ms >= 60000 ? Math.round(ms / 60000) + " min" : Math.round(ms / 1000) + " s");

// The top of the value axis: the first of 1, 2, 2.5, 5 × a power of ten at or above the largest value.
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p * (1 + 1e-9)) return m * p;
  return 10 * p;
}

const svgText = (text, attrs) => { const t = svg("text", attrs); t.textContent = text; return t; };
const latestOf = (values) => { for (let i = values.length - 1; i >= 0; i--) if (values[i][1] !== null) return values[i]; return null; };

// One series drawn on the chart: polylines between gaps, a dot where a value stands alone and on the latest.
function chartLine(root, line, x, y) {
  let run = [];
  const flush = () => {
    if (run.length > 1) root.append(svg("polyline", { points: run.map((p) => p.join(",")).join(" "), fill: "none", stroke: line.colour, "stroke-width": 1.5, "data-line": line.name }));
    else if (run.length === 1) root.append(svg("circle", { cx: run[0][0], cy: run[0][1], r: 1.5, fill: line.colour }));
    run = [];
  };
  for (const [at, v] of line.values) {
    if (v === null || !Number.isFinite(v)) flush();
    else run.push([x(at).toFixed(1), y(v).toFixed(1)]);
  }
  flush();
  const last = latestOf(line.values);
  if (last) root.append(svg("circle", { cx: x(last[0]).toFixed(1), cy: y(last[1]).toFixed(1), r: 2.5, fill: line.colour, "data-latest": line.name }));
}

// The width of each of count charts in a grid of columns at least CHART.min wide that the charts
// fill (the style's auto-fit grid does the same).
function chartWidth(available, count) {
  const columns = Math.max(1, Math.min(count, Math.floor((available + CHART.gap) / (CHART.min + CHART.gap))));
  return Math.max(CHART.min, Math.floor((available - (columns - 1) * CHART.gap) / columns));
}

// A chart: key names it for tests and styles; lines are [{ name, colour, values: [[at, value|null]] }];
// span is { from, to } in ms; format prints a value with its unit; options: width in px, cap on the
// value axis, bad to print a latest value above zero in red.
function lineChart(key, title, lines, span, format, options = {}) {
  const { h, left, right, top, bottom } = CHART;
  const w = options.width || CHART.w;
  const all = lines.flatMap((l) => l.values.map((p) => p[1]).filter((v) => v !== null && Number.isFinite(v)));
  const max = Math.min(options.cap ?? Infinity, niceMax(Math.max(0, ...all)));
  const x = (t) => left + ((t - span.from) / Math.max(1, span.to - span.from)) * (w - left - right);
  const y = (v) => top + (1 - Math.min(v, max) / max) * (h - top - bottom);
  const root = svg("svg", { viewBox: "0 0 " + w + " " + h, class: "chart-svg", role: "img", "aria-label": title, "data-points": all.length, "data-max": max });
  root.append(
    svg("line", { x1: left, y1: y(max), x2: w - right, y2: y(max), class: "grid" }),
    svg("line", { x1: left, y1: y(max / 2), x2: w - right, y2: y(max / 2), class: "grid" }),
    svg("line", { x1: left, y1: y(0), x2: w - right, y2: y(0), class: "axis" }),
    svgText(format(max), { x: left - 3, y: y(max) + 4, "text-anchor": "end", class: "tick" }),
    svgText("0", { x: left - 3, y: y(0) + 3, "text-anchor": "end", class: "tick" }),
    svgText("−" + spanText(span.to - span.from), { x: left, y: h - 3, class: "tick" }),
    svgText("now", { x: w - right, y: h - 3, "text-anchor": "end", class: "tick" }),
  );
  for (const line of lines) chartLine(root, line, x, y);
  const latest = lines.map((l) => {
    const last = latestOf(l.values);
    return el("span", { className: options.bad && last && last[1] > 0 ? "bad" : "", textContent: (lines.length > 1 ? l.name + " " : "") + (last ? format(last[1]) : "–"), dataset: { series: l.name } });
  });
  const shown = el("span", { className: "latest", dataset: { field: "latest" } }, ...latest.flatMap((s, i) => (i ? [" · ", s] : [s])));
  shown.title = shown.textContent;
  const caption = el("figcaption", {}, el("span", { className: "title", textContent: title }), shown);
  return el("figure", { className: "chart", dataset: { chart: key } }, caption, root);
}
`;
