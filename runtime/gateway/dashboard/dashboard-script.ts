/**
 * The dashboard's browser script, served as `/dashboard/app.js`. Plain JavaScript, no build:
 * it calls the `hub` actor and the endpoints through the gateway like any client, and writes
 * every value with textContent (never as HTML).
 */
export const DASHBOARD_SCRIPT = String.raw`
const $ = (sel) => document.querySelector(sel);
const el = (tag, { dataset, ...props } = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  if (dataset) Object.assign(node.dataset, dataset);
  for (const c of children) node.append(c);
  return node;
};
const state = { hub: true, apiSignature: "", logActor: "", actors: [], forms: new Map() };

async function call(target, input = {}, timeoutMs = 15000) {
  const [actor, endpoint] = target.split(".");
  const res = await fetch("/api/" + actor + "/" + endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", [WIRE.deadline]: String(Date.now() + timeoutMs) },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { ok: res.ok, status: res.status, body, traceId: res.headers.get(WIRE.traceId) };
}

function notify(text, bad) {
  const box = $("#notice");
  box.textContent = text;
  box.className = bad ? "bad" : "good";
}

async function act(verb, name, extra = {}) {
  notify(verb + " " + name + "…");
  const r = await call(HUB[verb], { name, ...extra }, 120000);
  const where = extra.node ? " on " + extra.node : "";
  if (r.ok) notify(verb + " " + name + where + ": " + r.body.status + " (" + r.body.running + "/" + r.body.desired + " running)");
  else notify(verb + " " + name + " failed: " + (r.body.error ? r.body.error.code + " " + r.body.error.message : r.status), true);
  await refreshActors();
}

// Requests refused by each endpoint's bulkhead (OVERLOADED) and by this actor's open circuits
// (CIRCUIT_OPEN); the circuits it holds as a caller that are not closed.
function refusedText(guards) {
  if (!guards) return "–";
  const parts = guards.bulkheads.filter((b) => b.overloaded).map((b) => b.endpoint + " " + b.overloaded + " overloaded")
    .concat(guards.circuits.filter((c) => c.rejected).map((c) => c.target + " " + c.rejected + " circuit-open"));
  return parts.join(", ") || "–";
}

function circuitsText(guards) {
  const open = guards ? guards.circuits.filter((c) => c.state !== "closed") : [];
  return open.map((c) => c.target + " " + c.state).join(", ") || "–";
}

function actorRow(a) {
  const scale = el("input", { type: "number", min: 0, max: 64, value: a.desired, className: "scale" });
  // On a cluster a row is one node's instances: its start, stop and restart act on that node (scale is cluster-wide).
  const onNode = a.node ? () => ({ node: a.node }) : undefined;
  const button = (label, verb, extra) =>
    el("button", { textContent: label, onclick: () => act(verb, a.name, extra ? extra() : {}), dataset: { action: verb } });
  const cells = [
    ...(a.node ? [["node", a.node]] : []),
    ["name", a.name + (a.builtin ? " (built-in)" : "")],
    ["status", a.status],
    ["instances", a.running + "/" + a.desired],
    ["restarts", String(a.restarts)],
    ["requests", String(a.requests)],
    ["errors", String(a.errors)],
    ["latency", a.meanMs ? a.meanMs.toFixed(2) + " ms" : "–"],
    // A keyed actor's keys in memory, per instance.
    ["keys", a.keys === undefined ? "–" : a.instances.map((i) => i.keys ?? 0).join(" + ")],
    ["refused", refusedText(a.guards)],
    ["circuits", circuitsText(a.guards)],
  ].map(([field, text]) => el("td", { textContent: text, dataset: { field } }));
  const controls = el("td", { className: "controls" });
  if (a.name !== HUB.actor) {
    controls.append(button("start", "start", onNode), button("stop", "stop", onNode), button("restart", "restart", onNode), scale,
      button("scale", "scale", () => ({ instances: Number(scale.value) })));
  }
  controls.append(el("button", { textContent: "logs", onclick: () => followLogs(a.name) }));
  const row = el("tr", { className: "status-" + a.status, dataset: a.node ? { actor: a.name, node: a.node } : { actor: a.name } }, ...cells, controls);
  return row;
}

async function refreshActors() {
  let actors;
  const r = await call(HUB.list).catch(() => ({ ok: false, body: {} }));
  if (r.ok) {
    actors = r.body.actors;
    state.hub = true;
  } else {
    state.hub = false;
    const index = await fetch("/api").then((x) => x.json()).catch(() => ({ actors: [] }));
    actors = index.actors.map((a) => ({ name: a.name, status: a.live ? "running" : "stopped", running: a.instances, desired: a.instances, restarts: 0, requests: 0, errors: 0, meanMs: 0 }));
  }
  state.actors = actors;
  $("#hub-missing").hidden = state.hub;
  // A node column only on a cluster, where each row names the node its instances run on.
  const cluster = actors.some((a) => a.node);
  let head = $("#node-head");
  if (cluster && !head) $("#actors thead tr").prepend(head = el("th", { id: "node-head", textContent: "node" }));
  if (head) head.hidden = !cluster;
  const body = $("#actors tbody");
  const focused = document.activeElement && document.activeElement.classList.contains("scale");
  if (!focused) body.replaceChildren(...actors.map(actorRow));
  const select = $("#log-actor");
  const names = [HUB.actor, ...actors.map((a) => a.name).filter((n) => n !== HUB.actor)];
  if (select.options.length !== names.length) {
    select.replaceChildren(...names.map((n) => el("option", { value: n, textContent: n })));
    select.value = state.logActor || names[0];
  }
}

function sample(schema) {
  if (!schema || typeof schema !== "object") return null;
  if (schema.default !== undefined) return schema.default;
  if (schema.anyOf) return sample(schema.anyOf[0]);
  switch (schema.type) {
    case "object": {
      const out = {};
      for (const [k, s] of Object.entries(schema.properties || {})) if ((schema.required || []).includes(k)) out[k] = sample(s);
      return out;
    }
    case "array": return [];
    case "integer": case "number": return schema.minimum ?? 0;
    case "boolean": return false;
    case "string": return schema.enum ? schema.enum[0] : "text";
    default: return null;
  }
}

function endpointForm(actor, e) {
  const input = el("textarea", { rows: 3, value: JSON.stringify(sample(e.input) ?? {}, null, 1), spellcheck: false });
  const out = el("pre", { className: "result" });
  const go = el("button", { textContent: "call " + e.target, dataset: { call: e.target } });
  go.onclick = async (ev) => {
    ev.preventDefault();
    let body;
    try { body = JSON.parse(input.value || "{}"); } catch (err) { out.textContent = "not JSON: " + err.message; return; }
    const r = await call(e.target, body);
    out.textContent = r.status + "  trace " + r.traceId + "\n" + JSON.stringify(r.body, null, 2);
    out.className = "result " + (r.ok ? "good" : "bad");
  };
  const route = e.http ? " · " + e.http.method + " " + e.http.path + (e.mounted ? "" : " (not served)") : "";
  return el("details", { className: "endpoint" },
    el("summary", {}, el("code", { textContent: e.target }), " " + (e.description || "") + route),
    el("form", {}, input, go), out);
}

async function refreshEndpoints() {
  const index = await fetch("/api").then((r) => r.json()).catch(() => null);
  if (!index) return;
  const problems = [...index.conflicts.map((c) => c.message), ...index.invalid.map((i) => i.target + ": " + i.message)];
  const box = $("#conflicts");
  box.hidden = problems.length === 0;
  box.replaceChildren(el("strong", { textContent: "Route problems: " }), ...problems.map((p) => el("div", { textContent: p })));
  const signature = JSON.stringify(index.actors.map((a) => [a.name, a.live, a.endpoints.map((e) => [e.name, e.http, e.mounted])]));
  if (signature === state.apiSignature) return;
  state.apiSignature = signature;
  // Forms are reused while their endpoint is unchanged, so an actor restarting elsewhere on the
  // page never wipes what the user typed, an open form or a reply being read.
  const forms = new Map();
  $("#endpoints").replaceChildren(...index.actors.map((a) =>
    el("section", {}, el("h3", { textContent: a.name + (a.live ? "" : " (offline)") }), ...a.endpoints.map((e) => {
      const key = JSON.stringify([e.target, e.http, e.mounted, e.description]);
      const form = state.forms.get(key) ?? endpointForm(a.name, e);
      forms.set(key, form);
      return form;
    }))));
  state.forms = forms;
}

function formatLine(line) {
  try {
    const j = JSON.parse(line);
    const { time, level, lvl, msg, actor, instance, pid, hostname, ...rest } = j;
    const when = new Date(time).toISOString().slice(11, 23);
    const extra = Object.keys(rest).length ? " " + JSON.stringify(rest) : "";
    return { text: when + " " + (lvl || level) + " [" + actor + (instance !== undefined ? "#" + instance : "") + "] " + msg + extra, level: lvl || "" };
  } catch { return { text: line, level: "" }; }
}

function followLogs(name) {
  state.logActor = name;
  $("#log-actor").value = name;
  refreshLogs();
}

async function refreshLogs() {
  const name = state.logActor || $("#log-actor").value;
  if (!name || !state.hub) return;
  const r = await call(HUB.logs, { name, lines: 200 }).catch(() => null);
  const box = $("#logs");
  if (!r || !r.ok) { box.textContent = r ? JSON.stringify(r.body) : "logs unavailable"; return; }
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 10;
  box.replaceChildren(...r.body.lines.map((l) => { const f = formatLine(l); return el("div", { textContent: f.text, className: "lvl-" + f.level }); }));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

$("#log-actor").onchange = (ev) => followLogs(ev.target.value);
const every = (ms, fn) => { const run = () => fn().catch(() => {}).finally(() => setTimeout(run, ms)); run(); };
every(1500, refreshActors);
every(4000, refreshEndpoints);
every(1000, () => ($("#follow").checked ? refreshLogs() : Promise.resolve()));
`;
