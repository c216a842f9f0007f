/**
 * The live call graph, appended to `/dashboard/app.js` with the traffic panel: actors as boxes in
 * columns by call depth (an actor nobody calls on the left, each callee one column right of its
 * nearest caller), the calls observed in the last minute as arrows labelled with their rate and,
 * in red, their error share; an arrow back to an earlier column bends below the boxes, a call
 * to itself loops above its box. The layout depends only on the graph, so the picture stays put
 * between polls. Plain JavaScript; values are written as text, never as HTML.
 */
export const CALL_GRAPH_SCRIPT = String.raw`
const GRAPH = { w: 150, h: 44, gx: 130, gy: 28, pad: 12, below: 56 };

function graphEdgeText(e) {
  return FORMAT.rate(e.rate) + (e.errors ? " · " + FORMAT.share(e.errorRatio) + " err" : "");
}

function graphEdge(e, pos) {
  const { w, h } = GRAPH;
  const a = pos.get(e.from), b = pos.get(e.to);
  let path, lx, ly;
  if (e.from === e.to) {
    path = "M" + (a.x + w - 40) + "," + a.y + " C" + (a.x + w - 40) + "," + (a.y - 26) + " " + (a.x + w - 8) + "," + (a.y - 26) + " " + (a.x + w - 12) + "," + a.y;
    lx = a.x + w - 26; ly = a.y - 22;
  } else if (b.x > a.x) {
    path = "M" + (a.x + w) + "," + (a.y + h / 2) + " L" + (b.x - 2) + "," + (b.y + h / 2);
    lx = (a.x + w + b.x) / 2; ly = (a.y + b.y + h) / 2 - 5;
  } else {
    const down = Math.max(a.y, b.y) + h + GRAPH.below;
    path = "M" + (a.x + w / 2) + "," + (a.y + h) + " C" + (a.x + w / 2) + "," + down + " " + (b.x + w / 2 + 10) + "," + down + " " + (b.x + w / 2 + 10) + "," + (b.y + h + 2);
    lx = (a.x + b.x + w) / 2 + 5; ly = down - 10;
  }
  const bad = e.errors > 0;
  const title = svg("title");
  title.textContent = e.from + " → " + e.to + ": " + e.calls + " calls (" + FORMAT.rate(e.rate) + "), " + e.errors + " failed" + (e.errors ? " (" + FORMAT.share(e.errorRatio) + ")" : "");
  const label = svgText(graphEdgeText(e), { x: lx, y: ly, "text-anchor": "middle", class: "edge-label" + (bad ? " bad" : "") });
  return svg("g", { "data-edge": e.from + "->" + e.to, "data-calls": e.calls, "data-errors": e.errors, "data-rate": e.rate },
    svg("path", { d: path, fill: "none", class: "edge" + (bad ? " bad" : ""), "marker-end": "url(#cg-arrow" + (bad ? "-bad" : "") + ")" }), label, title);
}

function graphNode(n, p) {
  const { w, h } = GRAPH;
  const bad = n.errorRatio > 0;
  const title = svg("title");
  title.textContent = n.actor + ": " + n.requests + " requests served (" + FORMAT.rate(n.rate) + ")" + (n.errorRatio !== null ? ", " + FORMAT.share(n.errorRatio) + " failed" : "");
  const figures = svgText(FORMAT.rate(n.rate), { x: p.x + 8, y: p.y + 34, class: "node-figures" });
  if (bad) {
    const errors = svg("tspan", { class: "bad" });
    errors.textContent = " · " + FORMAT.share(n.errorRatio) + " err";
    figures.append(errors);
  }
  return svg("g", { "data-node": n.actor, "data-depth": n.depth },
    svg("rect", { x: p.x, y: p.y, width: w, height: h, rx: 6, class: "node" + (bad ? " bad" : "") }),
    svgText(n.actor, { x: p.x + 8, y: p.y + 17, class: "node-name" }), figures, title);
}

function arrowMarker(id, colour) {
  return svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
}

function drawCallGraph(graph) {
  const { w, h, gx, gy, pad } = GRAPH;
  const columns = new Map();
  for (const n of graph.nodes) columns.set(n.depth, [...(columns.get(n.depth) || []), n]);
  const pos = new Map();
  for (const [depth, nodes] of columns) nodes.forEach((n, i) => pos.set(n.actor, { x: pad + depth * (w + gx), y: pad + 26 + i * (h + gy) }));
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const width = pad * 2 + Math.max(1, columns.size) * (w + gx) - gx;
  const height = pad * 2 + 26 + rows * (h + gy) + GRAPH.below;
  const root = svg("svg", { width, height, id: "call-graph-svg", role: "img", "aria-label": "actors and the calls between them" },
    svg("defs", {}, arrowMarker("cg-arrow", "#555"), arrowMarker("cg-arrow-bad", "#b3261e")));
  for (const e of graph.edges) root.append(graphEdge(e, pos));
  for (const n of graph.nodes) root.append(graphNode(n, pos.get(n.actor)));
  return root;
}

async function refreshGraph() {
  const res = await fetch(TRAFFIC.graph);
  const panel = $("#graph-panel");
  panel.hidden = res.status === 404;
  if (!res.ok) return;
  const graph = await res.json();
  $("#graph-span").textContent = graph.seconds ? "calls in the last " + spanText(graph.seconds * 1000) : "waiting for the first samples";
  $("#graph-empty").hidden = graph.edges.length > 0 || !graph.seconds;
  $("#call-graph").replaceChildren(drawCallGraph(graph));
}
`;

/** The call graph panel's markup, placed in the dashboard page. */
export const CALL_GRAPH_PANEL = `<section class="panel" id="graph-panel" hidden><h2>Call graph <small id="graph-span"></small></h2>
<p id="graph-empty" hidden>No calls between actors in the last minute: each box shows the requests an actor served.</p>
<div id="call-graph"></div></section>`;
