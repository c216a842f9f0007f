import { Header, TRACES_PATH } from "../../protocol/index.ts";

/**
 * Placed in `/dashboard/app.js` right after the sign-in, before any panel polls: the page's own
 * requests (every poll of every panel) go with an unsampled W3C `traceparent`, so they are not
 * recorded and do not push real requests out of the bounded trace store; a request a person
 * starts with a click or a form (an endpoint called from the page, a restart) is traced as
 * any other. Plain JavaScript.
 */
export const TRACE_SAMPLING_SCRIPT = String.raw`
const TRACEPARENT = ${JSON.stringify(Header.traceparent.toLowerCase())};
const hexOf = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
// Flags 00: the gateway's span follows the caller's decision, and so does every span below it.
const unsampled = () => ({ [TRACEPARENT]: "00-" + hexOf(16) + "-" + hexOf(8) + "-00" });
const fetchTraced = window.fetch;
window.fetch = (input, init = {}) => {
  const asked = window.event && (window.event.type === "click" || window.event.type === "submit");
  const headers = new Headers(init.headers || {});
  if (asked || headers.has(TRACEPARENT)) return fetchTraced(input, init);
  for (const [name, value] of Object.entries(unsampled())) headers.set(name, value);
  return fetchTraced(input, { ...init, headers });
};
`;

/**
 * The Traces panel, appended to `/dashboard/app.js`: the latest requests from the in-hub trace
 * store (filters by actor, endpoint, status and least duration), refreshed while "live" is
 * ticked; a click on one draws its waterfall (waterfall-script.ts). A trace id shown under an
 * endpoint's call result links to its waterfall. With the store off it says what to add to
 * config/fuse.yaml. Plain JavaScript; values are written as text, never as HTML.
 */
export const TRACES_SCRIPT = String.raw`
const TRACES_PATH = ${JSON.stringify(TRACES_PATH)};
state.traceId = "";

function tracesQuery() {
  const form = $("#traces-filters");
  const params = new URLSearchParams();
  for (const name of ["actor", "endpoint", "status", "minMs"]) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  params.set("limit", "50");
  return params.toString();
}

async function tracesGet(path) {
  const res = await fetch(path, { headers: { accept: "application/json", ...unsampled() } });
  const body = await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, body };
}

const failureText = (r) => (r.body && r.body.error ? r.body.error.code + ": " + r.body.error.message : "HTTP " + r.status);

function showStoreOff(enable) {
  const box = $("#traces-off");
  box.hidden = !enable;
  if (enable) box.replaceChildren(el("div", { textContent: "The trace store is off on this hub. Add this to config/fuse.yaml, then start the hub again:" }), el("pre", { textContent: enable }));
  for (const id of ["#traces-filters", "#traces", "#traces-fill"]) $(id).hidden = Boolean(enable);
}

function traceRow(t) {
  const open = (ev) => { ev.preventDefault(); showTrace(t.traceId); };
  const cells = [
    ["time", new Date(t.start).toISOString().slice(11, 23)],
    ["endpoint", t.entry || "–"],
    ["status", t.code],
    ["duration", msText(t.ms)],
    ["spans", String(t.spans)],
  ].map(([field, text]) => el("td", { textContent: text, dataset: { field } }));
  const request = el("td", { dataset: { field: "request" } }, el("a", { href: "#", textContent: t.name, title: t.process, onclick: open }));
  if (t.error) cells[2].title = t.error;
  const row = el("tr", { className: "trace-" + t.status + (t.traceId === state.traceId ? " trace-open" : ""), dataset: { trace: t.traceId, status: t.status } }, cells[0], request, ...cells.slice(1));
  return row;
}

async function refreshTraces() {
  const r = await tracesGet(TRACES_PATH + "?" + tracesQuery());
  const enable = r.status === 404 && r.body && r.body.error && r.body.error.details ? r.body.error.details.enable : undefined;
  showStoreOff(enable);
  if (enable) return;
  $("#traces-error").textContent = r.ok ? "" : failureText(r);
  if (!r.ok) return;
  $("#traces tbody").replaceChildren(...r.body.traces.map(traceRow));
  const held = r.body.stores.reduce((n, s) => n + s.held, 0);
  const bound = r.body.stores.length ? Math.max(...r.body.stores.map((s) => s.capacity)) : 0;
  $("#traces-fill").textContent = held + " spans held by " + r.body.stores.length + " processes (the latest " + bound + " each)";
}

async function showTrace(traceId) {
  state.traceId = traceId;
  for (const row of document.querySelectorAll("#traces tbody tr")) row.classList.toggle("trace-open", row.dataset.trace === traceId);
  const box = $("#waterfall");
  box.hidden = false;
  const r = await tracesGet(TRACES_PATH + "/" + traceId);
  if (state.traceId !== traceId) return;
  box.replaceChildren(...(r.ok ? drawWaterfall(r.body) : [el("div", { className: "wf-error", textContent: failureText(r) })]));
}

// A call's result in the Endpoints panel names its trace: a link to its waterfall below it.
function linkTraceIds() {
  for (const pre of document.querySelectorAll("#endpoints pre.result")) {
    const found = /trace ([0-9a-f]{32})/.exec(pre.textContent || "");
    const next = pre.nextElementSibling;
    let link = next && next.classList.contains("trace-link") ? next : null;
    if (!found) { if (link) link.remove(); continue; }
    if (!link) pre.after(link = el("a", { href: "#", className: "trace-link" }));
    const text = "waterfall of trace " + found[1];
    if (link.textContent !== text) link.textContent = text;
    link.dataset.trace = found[1];
    link.onclick = (ev) => { ev.preventDefault(); showTrace(found[1]); $("#traces-panel").scrollIntoView(); };
  }
}

new MutationObserver(linkTraceIds).observe($("#endpoints"), { subtree: true, childList: true, characterData: true });
$("#traces-filters").onsubmit = (ev) => { ev.preventDefault(); refreshTraces(); };
$("#traces-filters").oninput = () => { clearTimeout(state.tracesTyping); state.tracesTyping = setTimeout(() => refreshTraces().catch(() => {}), 300); };
every(3000, () => ($("#traces-live").checked ? refreshTraces() : Promise.resolve()));
`;
