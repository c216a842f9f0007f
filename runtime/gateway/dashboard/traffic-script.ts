import { TrafficRoute } from "../traffic/traffic-routes.ts";
import { CALL_GRAPH_PANEL, CALL_GRAPH_SCRIPT } from "./call-graph-script.ts";
import { LINE_CHART_SCRIPT } from "./line-chart-script.ts";

/**
 * The traffic panel, appended to `/dashboard/app.js` after the tasks script: per actor, its
 * requests per second, error share and p50/p99 latency over the gateway's history (the last
 * 15 minutes), and each of its instances' CPU, memory and lag; an actor picker, and an endpoint
 * picker for one endpoint's requests instead of the actor's. Then the call graph. Both poll the
 * gateway's JSON routes every few seconds. Plain JavaScript; values are written as text, never as HTML.
 */
export const TRAFFIC_SCRIPT =
  String.raw`
const TRAFFIC = ${JSON.stringify(TrafficRoute)};
const INSTANCE_COLOURS = ["#1f6feb", "#8250df", "#1a7f37", "#bf8700", "#cf222e", "#57606a"];
state.traffic = { actor: "", endpoint: "", actors: [], folded: new Set(), body: null };
` +
  LINE_CHART_SCRIPT +
  CALL_GRAPH_SCRIPT +
  String.raw`
// The window's totals above the charts: requests, mean rate, errors (red when any) and quantiles.
function trafficSummary(window) {
  const part = (field, text, bad) => el("span", { textContent: text, className: bad ? "bad" : "", dataset: { field } });
  return el("p", { className: "summary" },
    part("requests", window.requests + " requests"), " · ", part("rate", FORMAT.rate(window.rate) + " mean"), " · ",
    part("errors", window.errors + " errors" + (window.errorRatio !== null ? " (" + FORMAT.share(window.errorRatio) + ")" : ""), window.errors > 0), " · ",
    part("p50", "p50 " + (window.p50 === null ? "–" : FORMAT.seconds(window.p50))), " · ",
    part("p99", "p99 " + (window.p99 === null ? "–" : FORMAT.seconds(window.p99))), " in the last " + spanText(window.seconds * 1000));
}

function trafficCard(a, span, available) {
  const points = a.traffic.points;
  const width = chartWidth(available, a.instances.length ? 6 : 3);
  const series = (name, colour, pick) => ({ name, colour, values: points.map((p) => [p.at, pick(p)]) });
  const each = (pick) => a.instances.map((i, k) => ({ name: "#" + i.instance, colour: INSTANCE_COLOURS[k % INSTANCE_COLOURS.length], values: i.points.map((p) => [p.at, pick(p)]) }));
  const charts = [
    lineChart("rate", "requests/s", [series("rate", "#1f6feb", (p) => p.rate)], span, FORMAT.rate, { width }),
    lineChart("errors", "errors %", [series("errors", "#b3261e", (p) => p.errorRatio)], span, FORMAT.share, { width, cap: 1, bad: true }),
    lineChart("latency", "latency", [series("p50", "#1f6feb", (p) => p.p50), series("p99", "#8250df", (p) => p.p99)], span, FORMAT.seconds, { width }),
  ];
  if (a.instances.length) {
    charts.push(
      lineChart("cpu", "CPU % of a core", each((p) => p.cpu), span, FORMAT.share, { width }),
      lineChart("memory", "memory", each((p) => (p.memory === null ? null : p.memory / 1048576)), span, FORMAT.megabytes, { width }),
      lineChart("lag", "event-loop lag", each((p) => p.lag), span, FORMAT.seconds, { width }),
    );
  }
  const title = a.actor + (a.endpoint ? "." + a.endpoint : "") + (a.instances.length ? " · " + a.instances.length + " instance" + (a.instances.length > 1 ? "s" : "") : "");
  // A card folded by the user stays folded across refreshes.
  const card = el("details", { className: "traffic-card", open: !state.traffic.folded.has(a.actor), dataset: a.endpoint ? { actor: a.actor, endpoint: a.endpoint } : { actor: a.actor } },
    el("summary", {}, el("h3", { textContent: title }), trafficSummary(a.traffic.window)), el("div", { className: "charts" }, ...charts));
  card.ontoggle = () => (card.open ? state.traffic.folded.delete(a.actor) : state.traffic.folded.add(a.actor));
  return card;
}

// Options kept as they are while unchanged, so an open picker is not reset under the user.
function setOptions(select, values, first, chosen) {
  const want = JSON.stringify(values);
  if (select.dataset.options !== want) {
    select.replaceChildren(el("option", { value: "", textContent: first }), ...values.map((v) => el("option", { value: v, textContent: v })));
    select.dataset.options = want;
  }
  select.value = values.includes(chosen) ? chosen : "";
}

async function refreshTraffic() {
  const t = state.traffic;
  const query = t.actor ? "?actor=" + encodeURIComponent(t.actor) + (t.endpoint ? "&endpoint=" + encodeURIComponent(t.endpoint) : "") : "";
  const res = await fetch(TRAFFIC.history + query);
  const body = await res.json().catch(() => null);
  if (res.status === 404 && query) { Object.assign(t, { actor: "", endpoint: "" }); return refreshTraffic(); }
  $("#traffic-panel").hidden = res.status === 404;
  if (!res.ok || !body) return;
  if (!query) t.actors = body.actors.map((a) => a.actor);
  setOptions($("#traffic-actor"), t.actors, "every actor", t.actor);
  const endpoints = t.actor && body.actors[0] ? body.actors[0].endpoints : [];
  setOptions($("#traffic-endpoint"), endpoints, "every endpoint", t.endpoint);
  $("#traffic-endpoint").disabled = !t.actor;
  $("#traffic-span").textContent = body.to === null ? "waiting for the first samples" : "up to " + spanText(body.windowMs) + ", a point every " + spanText(body.intervalMs);
  t.body = body;
  drawTraffic();
}

// The time axis runs over what the history holds (a young one does not sit squeezed at the right).
function drawTraffic() {
  const body = state.traffic.body;
  if (!body) return;
  const to = body.to ?? Date.now();
  const span = { from: Math.max(body.from ?? to, to - body.windowMs), to };
  const box = $("#traffic");
  box.replaceChildren(...body.actors.map((a) => trafficCard(a, span, box.clientWidth - 2)));
}

$("#traffic-actor").onchange = (ev) => { Object.assign(state.traffic, { actor: ev.target.value, endpoint: "" }); refreshTraffic(); };
$("#traffic-endpoint").onchange = (ev) => { state.traffic.endpoint = ev.target.value; refreshTraffic(); };
window.addEventListener("resize", () => { clearTimeout(state.traffic.resized); state.traffic.resized = setTimeout(drawTraffic, 150); });
every(5000, refreshTraffic);
every(5000, refreshGraph);
`;

/** The traffic and call graph panels' markup, placed in the dashboard page. */
export const TRAFFIC_PANELS = `<section class="panel" id="traffic-panel" hidden><h2>Traffic <select id="traffic-actor" aria-label="actor"></select> <select id="traffic-endpoint" aria-label="endpoint" disabled></select> <small id="traffic-span"></small></h2>
<div id="traffic"></div></section>
${CALL_GRAPH_PANEL}`;

/** The panels' style, placed in the dashboard page. */
export const TRAFFIC_STYLE = `
#traffic-panel h2 select { max-width: 100%; font: inherit; font-weight: normal; }
#traffic-panel small, #graph-panel small { font-weight: normal; color: #666; }
#traffic { display: grid; gap: .8em; }
.traffic-card { border-top: 1px solid #eee; padding-top: .4em; min-width: 0; }
.traffic-card > summary { cursor: pointer; list-style-position: outside; margin-left: 1em; }
.traffic-card h3 { display: inline; margin: 0; font-size: 1em; font-family: ui-monospace, monospace; }
.traffic-card .summary { margin: .1em 0 .4em; font-size: 12px; color: #444; }
/* CHART.min and CHART.gap of the script: each chart is drawn at the width its column has. */
.traffic-card .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: .5em 12px; }
figure.chart { margin: 0; min-width: 0; }
/* Title, then the latest value on a line of its own: every chart of a row starts at the same height. */
figure.chart figcaption { display: grid; font-size: 12px; color: #555; }
figure.chart figcaption > span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
figure.chart .latest { font-family: ui-monospace, monospace; color: #1d1d1f; }
svg.chart-svg { display: block; width: 100%; height: auto; }
svg.chart-svg .tick { font-size: 10px; fill: #666; } svg.chart-svg .axis { stroke: #999; } svg.chart-svg .grid { stroke: #eee; }
#traffic-panel .bad, #graph-panel .bad { color: #b3261e; }
#call-graph svg text { font-size: 12px; } #call-graph .node-name { font-weight: 600; font-family: ui-monospace, monospace; }
#call-graph .node { fill: #f6f8fa; stroke: #555; } #call-graph .node.bad { fill: #fdecea; stroke: #b3261e; stroke-width: 2; }
#call-graph .node-figures { fill: #444; } #call-graph .bad { fill: #b3261e; }
#call-graph .edge { fill: none; stroke: #555; stroke-width: 1.5; } #call-graph .edge.bad { fill: none; stroke: #b3261e; }
#call-graph .edge-label { fill: #1d1d1f; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
#call-graph .edge-label.bad { fill: #b3261e; }
`;
