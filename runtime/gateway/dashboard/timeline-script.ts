/**
 * The run view's timeline, appended to `/dashboard/app.js` before the tasks panel: one row per
 * step (then one per compensation) with a bar from the step's start to its end on an axis shared
 * by the whole run. The run record keeps, per step, its first start, its end, the number of calls
 * made and the error it failed with; it keeps no times or errors per attempt, so a retried step is
 * one bar with its attempt count. Bars are placed in % of the axis, so the timeline scales with
 * the window; below 640 px the label and the details stack above and below the bar.
 * Plain JavaScript; values are written as text, never as HTML.
 */
export const TIMELINE_SCRIPT = String.raw`
// What a step's row says besides its bar: attempts, what it waits for, its error.
function timelineInfo(step) {
  const parts = [step.waiting ? "waiting for " + waitingText(step.waiting) : step.status];
  if (step.attempts > 1) parts.push(step.attempts + " attempts");
  if (step.reused) parts.push("reused");
  if (step.status !== "skipped" && step.startedAt !== undefined && step.endedAt !== undefined) parts.push(((step.endedAt - step.startedAt) / 1000).toFixed(2) + " s");
  return parts.join(" · ");
}

function timelineRow(step, span, compensation) {
  const label = el("span", { className: "tl-label", textContent: (compensation ? "↺ " : "") + step.id });
  const track = el("div", { className: "tl-track" });
  const at = (t) => Math.min(100, Math.max(0, ((t - span.from) / span.ms) * 100));
  const live = step.status === "running" || step.status === "waiting";
  if (step.startedAt !== undefined && step.status !== "skipped") {
    const end = step.endedAt !== undefined ? step.endedAt : live ? span.to : step.startedAt;
    const left = at(step.startedAt);
    const bar = el("div", { className: "tl-bar" + (live ? " tl-live" : ""), title: step.id + ": " + timelineInfo(step) + (step.error ? " · " + step.error.code + ": " + step.error.message : "") });
    bar.style.left = left + "%";
    bar.style.width = Math.max(0, at(end) - left) + "%";
    bar.style.backgroundColor = STEP_COLOURS[step.status] || "#fff";
    track.append(bar);
  } else if (step.status === "skipped" && step.endedAt !== undefined) {
    const mark = el("div", { className: "tl-skip", title: step.id + ": skipped" });
    mark.style.left = at(step.endedAt) + "%";
    track.append(mark);
  }
  const info = el("span", { className: "tl-info" }, el("span", { textContent: timelineInfo(step), dataset: { field: "info" } }));
  if (step.attempts > 1) info.dataset.attempts = String(step.attempts);
  if (step.error) info.append(el("span", { className: "tl-error", dataset: { field: "error" }, textContent: " · " + step.error.code + ": " + step.error.message }));
  return el("div", { className: "tl-row" + (compensation ? " tl-compensation" : ""), dataset: { step: step.id, status: step.status, kind: compensation ? "compensation" : "step" } }, label, track, info);
}

// The run's time span: from its start to its end, or to now while it runs (and at least 1 ms).
function timelineSpan(run, steps) {
  const starts = steps.map((s) => s.startedAt).filter((t) => t !== undefined);
  const ends = steps.map((s) => s.endedAt).filter((t) => t !== undefined);
  const from = Math.min(run.startedAt ?? run.createdAt, ...starts);
  const over = run.endedAt !== undefined && !steps.some((s) => s.status === "running" || s.status === "waiting");
  const to = over ? Math.max(run.endedAt, ...ends) : Math.max(Date.now(), ...ends);
  return { from, to, ms: Math.max(1, to - from) };
}

function timelineAxis(span) {
  const axis = el("div", { className: "tl-axis" });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const tick = el("span", { textContent: ((span.ms * f) / 1000).toFixed(span.ms < 10000 ? 2 : 0) + " s" });
    tick.style.left = f * 100 + "%";
    axis.append(tick);
  }
  return el("div", { className: "tl-row tl-head" }, el("span", { className: "tl-label", textContent: "step" }), axis, el("span", { className: "tl-info", textContent: "" }));
}

function drawTimeline(run) {
  const compensations = run.compensations || [];
  const span = timelineSpan(run, [...run.steps, ...compensations]);
  return el("div", { id: "timeline", role: "list", ariaLabel: "steps on a timeline" }, timelineAxis(span),
    ...run.steps.map((s) => timelineRow(s, span, false)), ...compensations.map((c) => timelineRow(c, span, true)));
}
`;

/** The timeline's style, placed in the dashboard page. */
export const TIMELINE_STYLE = `
#timeline { margin-top: .6em; display: grid; gap: 2px; min-width: 0; }
#timeline .tl-row { display: grid; grid-template-columns: minmax(6em, 10em) minmax(0, 1fr) minmax(8em, 22em); gap: .5em; align-items: center; font-size: 12px; }
#timeline .tl-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, monospace; }
#timeline .tl-track, #timeline .tl-axis { position: relative; height: 16px; background: #f4f4f4; border-radius: 3px; }
#timeline .tl-axis { background: none; border-bottom: 1px solid #bbb; }
#timeline .tl-axis span { position: absolute; transform: translateX(-50%); color: #666; font-size: 11px; white-space: nowrap; }
#timeline .tl-axis span:first-child { transform: none; } #timeline .tl-axis span:last-child { transform: translateX(-100%); }
#timeline .tl-bar { position: absolute; top: 2px; bottom: 2px; min-width: 2px; border: 1px solid #555; border-radius: 3px; box-sizing: border-box; }
#timeline .tl-live { background-image: repeating-linear-gradient(45deg, transparent 0 5px, rgba(0,0,0,.12) 5px 10px); border-right-style: dashed; }
#timeline .tl-skip { position: absolute; top: 1px; bottom: 1px; width: 0; border-left: 2px dotted #777; }
#timeline .tl-info { color: #444; overflow-wrap: anywhere; } #timeline .tl-error { color: #b3261e; }
#timeline .tl-compensation .tl-label { font-style: italic; color: #7a4a00; }
#timeline .tl-compensation .tl-bar { border-style: dashed; }
@media (max-width: 640px) {
  #timeline .tl-row { grid-template-columns: minmax(0, 1fr); gap: 1px; margin-bottom: .4em; }
  #timeline .tl-head .tl-label, #timeline .tl-head .tl-info { display: none; }
}
`;
