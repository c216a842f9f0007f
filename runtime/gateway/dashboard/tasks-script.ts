/**
 * The dashboard's tasks panel, appended to `/dashboard/app.js`: the taskmaster's tasks, their
 * latest runs, and the step graph of a chosen run drawn as SVG with each step coloured by its
 * state, with its steps on a timeline below (timeline-script.ts). Plain JavaScript; values are written as text, never as HTML.
 */
export const TASKS_SCRIPT = String.raw`
const STEP_COLOURS = { pending: "#ffffff", running: "#9cc3ff", waiting: "#ffe08a", succeeded: "#9be3b0", failed: "#ff9f97", skipped: "#d9d9d9", cancelled: "#8b8b8b" };
// A reused step (a rerun took its output from the run it reran) is drawn with a dashed border.
const SVG = "http://www.w3.org/2000/svg";
// A waiting step: its timer, retry, event or signal token (the token completes it: POST /tasks/signal/<token>).
const waitingText = (w) => w.kind + (w.event ? " " + w.event : "") + (w.token ? " token " + w.token : "") + (w.dueAt ? " until " + new Date(w.dueAt).toISOString() : "");
const svg = (tag, attrs = {}, ...children) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
};
state.runId = "";

function drawDag(dag, steps) {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const columns = new Map();
  for (const n of dag.nodes) columns.set(n.level, [...(columns.get(n.level) || []), n]);
  const W = 150, H = 34, GX = 60, GY = 16;
  const pos = new Map();
  for (const [level, nodes] of columns) nodes.forEach((n, i) => pos.set(n.id, { x: 10 + level * (W + GX), y: 10 + i * (H + GY) }));
  const width = 20 + columns.size * (W + GX), height = 20 + Math.max(...[...columns.values()].map((c) => c.length)) * (H + GY);
  const root = svg("svg", { width, height, id: "dag", role: "img" });
  for (const e of dag.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    root.append(svg("line", { x1: a.x + W, y1: a.y + H / 2, x2: b.x, y2: b.y + H / 2, stroke: "#777", "stroke-dasharray": e.kind === "order" ? "4 3" : "" }));
  }
  for (const n of dag.nodes) {
    const p = pos.get(n.id), step = byId.get(n.id), status = step ? step.status : "pending";
    const title = svg("title");
    title.textContent = n.id + " → " + n.call + ": " + status + (step && step.attempts > 1 ? " (" + step.attempts + " attempts)" : "") + (step && step.waiting ? " · " + waitingText(step.waiting) : "");
    const label = svg("text", { x: p.x + 8, y: p.y + 21, "font-size": 12 });
    label.textContent = n.id;
    root.append(svg("g", { "data-step": n.id, "data-status": status },
      svg("rect", { x: p.x, y: p.y, width: W, height: H, rx: 5, fill: STEP_COLOURS[status] || "#fff", stroke: "#555", "stroke-dasharray": step && step.reused ? "5 3" : "" }), label, title));
  }
  return root;
}

async function showRun(runId, task) {
  state.runId = runId;
  const [shown, status] = await Promise.all([call(TASKMASTER.show, { name: task }), call(TASKMASTER.status, { runId })]);
  const box = $("#run");
  if (!shown.ok || !status.ok) { box.textContent = "run unavailable"; return; }
  const run = status.body;
  // Links both ways: a rerun and the run it reran, a child run and its parent.
  const links = [];
  const link = (label, id) => links.push(el("span", { textContent: label + " " }), el("a", { href: "#", textContent: id, dataset: { link: id }, onclick: (ev) => { ev.preventDefault(); showRun(id, run.task); } }), el("span", { textContent: " " }));
  if (run.rerunOf) link("rerun of", run.rerunOf);
  for (const id of run.reruns || []) link("rerun as", id);
  if (run.parent) link("child of", run.parent.runId);
  for (const c of run.children || []) link("child (" + c.step + ")", c.runId);
  const over = !["pending", "running", "compensating"].includes(run.status);
  const rerun = el("button", { id: "rerun", textContent: "Rerun", disabled: !over, title: "a new run reusing the outputs of the succeeded steps" });
  rerun.onclick = async () => {
    const started = await call(TASKMASTER.rerun, { runId: run.id });
    if (started.ok) showRun(started.body.id, run.task);
    else rerun.title = started.body && started.body.error ? started.body.error.message : "rerun refused";
  };
  const compensations = (run.compensations || []).map((c) => el("div", { className: "compensation status-" + c.status, dataset: { compensation: c.id }, textContent: "compensation of " + c.id + ": " + c.status + (c.error ? " · " + c.error.code + ": " + c.error.message : "") }));
  box.replaceChildren(
    el("div", { textContent: "run " + run.id + " · " + run.task + " · " + run.status + (run.error ? " · " + run.error.code + ": " + run.error.message : "") }, " ", rerun),
    el("div", { id: "run-links" }, ...links),
    drawDag(shown.body.dag, run.steps),
    drawTimeline(run),
    ...compensations,
  );
}

async function refreshTasks() {
  const [list, runs] = await Promise.all([call(TASKMASTER.list), call(TASKMASTER.runs, { limit: 15 })]);
  const panel = $("#tasks-panel");
  panel.hidden = !list.ok;
  if (!list.ok) return;
  $("#tasks").replaceChildren(...list.body.tasks.map((t) => el("tr", { dataset: { task: t.name } },
    el("td", { textContent: t.name }), el("td", { textContent: String(t.steps) }), el("td", { textContent: t.description || "" }))));
  $("#runs").replaceChildren(...(runs.ok ? runs.body.runs : []).map((r) => el("tr", { className: "status-" + r.status, dataset: { run: r.id } },
    el("td", {}, el("a", { href: "#", textContent: r.id, onclick: (ev) => { ev.preventDefault(); showRun(r.id, r.task); } })),
    el("td", { textContent: r.task }), el("td", { textContent: r.status, dataset: { field: "status" } }),
    el("td", { textContent: new Date(r.createdAt).toISOString().slice(11, 19) }))));
  if (state.runId) {
    const current = (runs.ok ? runs.body.runs : []).find((r) => r.id === state.runId);
    if (current) await showRun(current.id, current.task);
  }
}

every(2000, refreshTasks);
`;

/** The markup of the tasks panel, placed in the dashboard page. */
export const TASKS_PANEL = `<section class="panel" id="tasks-panel" hidden><h2>Tasks</h2>
<table><thead><tr><th>task</th><th>steps</th><th>description</th></tr></thead><tbody id="tasks"></tbody></table>
<h2>Runs</h2><table><thead><tr><th>run</th><th>task</th><th>status</th><th>created</th></tr></thead><tbody id="runs"></tbody></table>
<div id="run"></div></section>`;
