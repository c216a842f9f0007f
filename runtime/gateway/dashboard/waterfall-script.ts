/**
 * A request's waterfall, appended to `/dashboard/app.js` before the Traces panel's script: one
 * row per span in the order the gateway gives them (each under its parent, indented by depth),
 * a bar from its start to its end on the trace's time axis, the process that recorded it
 * (`actor#instance`), its duration and code, and its error in red. Bars are placed in % of the
 * axis, so the waterfall scales with the window; below 640 px each row stacks.
 * Plain JavaScript; values are written as text, never as HTML.
 */
export const WATERFALL_SCRIPT = String.raw`
// Requests served and calls made in blues, events in yellow, task runs and steps in green, ctx.db in violet, failures in red.
const WF_COLOURS = { server: "#9cc3ff", client: "#cfe0ff", producer: "#ffe08a", consumer: "#ffe08a", internal: "#9be3b0" };
const wfColour = (s) => (s.failed ? "#ff9f97" : s.name.startsWith("db ") ? "#d7c4f5" : WF_COLOURS[s.kind] || "#ddd");

function msText(ms) {
  if (ms < 1) return ms.toFixed(2) + " ms";
  return ms < 1000 ? ms.toFixed(1) + " ms" : (ms / 1000).toFixed(2) + " s";
}

function waterfallAxis(ms) {
  const axis = el("div", { className: "wf-axis" });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const tick = el("span", { textContent: msText(ms * f) });
    tick.style.left = f * 100 + "%";
    axis.append(tick);
  }
  return el("div", { className: "wf-row wf-head" }, el("span", { className: "wf-label", textContent: "span" }), axis, el("span", { className: "wf-info" }));
}

function waterfallRow(s, at) {
  const where = s.actor + "#" + s.instance;
  const label = el("span", { className: "wf-label", title: s.name + " on " + where }, el("span", { textContent: s.name }), el("span", { className: "wf-process", textContent: where }));
  label.style.paddingLeft = Math.min(s.depth, 12) * 12 + "px";
  const left = at(s.start);
  const bar = el("div", { className: "wf-bar", title: s.name + " · " + msText(s.end - s.start) + " · " + s.code + (s.error ? ": " + s.error : "") });
  bar.style.left = left + "%";
  bar.style.width = Math.max(0, at(s.end) - left) + "%";
  bar.style.backgroundColor = wfColour(s);
  const info = el("span", { className: "wf-info" }, el("span", { textContent: msText(s.end - s.start) + " · " + s.code, dataset: { field: "info" } }));
  if (s.error) info.append(el("span", { className: "wf-error", dataset: { field: "error" }, textContent: " · " + s.error }));
  if (s.orphan) info.append(el("span", { textContent: " · its parent is no longer held" }));
  // Shifted into its parent's bar: another process's clock differed (see tracing/recent/waterfall.ts).
  if (s.skewMs) info.append(el("span", { dataset: { field: "skew" }, textContent: " · clock adjusted " + (s.skewMs > 0 ? "+" : "−") + msText(Math.abs(s.skewMs)) }));
  const dataset = { span: s.spanId, parent: s.parentId || "", depth: String(s.depth), status: s.failed ? "error" : "ok", process: where, kind: s.kind };
  return el("div", { className: "wf-row" + (s.orphan ? " wf-orphan" : ""), dataset }, label, el("div", { className: "wf-track" }, bar), info);
}

function drawWaterfall(trace) {
  const ms = Math.max(0.001, trace.end - trace.start);
  const at = (t) => Math.min(100, Math.max(0, ((t - trace.start) / ms) * 100));
  const title = el("div", { className: "wf-title", textContent: "trace " + trace.traceId + " · " + trace.spans.length + " spans · " + msText(ms) + " · " + new Date(trace.start).toISOString().slice(11, 23) });
  return [title, waterfallAxis(ms), ...trace.spans.map((s) => waterfallRow(s, at))];
}
`;
