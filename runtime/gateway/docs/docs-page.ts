import type { ApiIndex, IndexEndpoint } from "./api-index.ts";
import { DASHBOARD_PATH, Header } from "../../protocol/index.ts";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function fieldsTable(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown; description?: string; default?: unknown }>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(
    ([name, s]) =>
      `<tr><td><code>${escape(name)}</code></td><td>${escape(String(s.type ?? "any"))}</td><td>${required.has(name) ? "required" : s.default !== undefined ? `default ${escape(JSON.stringify(s.default))}` : "optional"}</td><td>${escape(s.description ?? "")}</td></tr>`,
  );
  return rows.length ? `<table><tr><th>field</th><th>type</th><th></th><th></th></tr>${rows.join("")}</table>` : "<p><em>no fields</em></p>";
}

function example(e: IndexEndpoint): string {
  const properties = (e.input.properties ?? {}) as Record<string, { type?: unknown }>;
  const sample: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(properties)) sample[name] = s.type === "number" || s.type === "integer" ? 1 : s.type === "boolean" ? true : s.type === "array" ? [] : "…";
  return `curl -X POST "$FUSE_GATEWAY${e.api.path}" -H 'content-type: application/json' -d '${JSON.stringify(sample)}'`;
}

function errorsTable(e: IndexEndpoint): string {
  const rows = Object.entries(e.errors ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, d]) => `<tr><td><code>${escape(code)}</code></td><td>${d.status}</td><td>${escape(d.description ?? "")}</td></tr>`);
  return rows.length ? `<h4>Errors</h4><table><tr><th>code</th><th>status</th><th></th></tr>${rows.join("")}</table>` : "";
}

function endpointSection(e: IndexEndpoint): string {
  const route = e.http
    ? `<p>Own route: <code>${escape(e.http.method)} ${escape(e.http.path)}</code>${e.mounted ? "" : " <strong>(not served: see conflicts)</strong>"}</p>`
    : "";
  return `<section class="endpoint" id="${escape(e.target)}">
<h3><code>${escape(e.target)}</code></h3>
<p>${escape(e.description ?? "")}</p>
<p><code>POST ${escape(e.api.path)}</code></p>${route}
<h4>Input</h4>${fieldsTable(e.input)}
<h4>Output</h4>${fieldsTable(e.output)}${errorsTable(e)}
<details><summary>JSON Schemas</summary><pre>${escape(JSON.stringify({ input: e.input, output: e.output }, null, 2))}</pre></details>
<pre>${escape(example(e))}</pre>
</section>`;
}

/** On a cluster: ` on a ×2, b ×1`. */
function nodesText(nodes: Record<string, number> | undefined): string {
  return nodes ? ` on ${Object.entries(nodes).map(([node, n]) => `${escape(node)} ×${n}`).join(", ")}` : "";
}

/** `GET /docs`: a readable page of every actor and endpoint of this hub. */
export function renderDocsPage(index: ApiIndex): string {
  const problems = [...index.conflicts.map((c) => c.message), ...index.invalid.map((i) => `${i.target}: ${i.message}`)];
  const actors = index.actors
    .map(
      (a) => `<section class="actor"><h2>${escape(a.name)} <small>${a.live ? `${a.instances} live${nodesText(a.nodes)}` : "offline"} · v${escape(a.version)}</small></h2>
<p>${escape(a.description)}</p>${a.endpoints.map(endpointSection).join("\n")}</section>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fuse hub — API docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.6em;overflow:auto}table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left}.actor{border-top:2px solid #333;margin-top:2em}.endpoint{margin-left:1em}.problems{background:#fee;border:1px solid #c33;padding:.5em 1em}small{color:#777;font-weight:normal}</style>
</head><body><h1>Fuse hub — API</h1>
<p>Every endpoint is <code>POST /api/&lt;actor&gt;/&lt;endpoint&gt;</code> with a JSON body. Errors are JSON: <code>{"error":{"code","message","details"}}</code>. Send <code>${Header.traceId}</code> to continue a trace; every response returns it. Machine-readable: <a href="/openapi.json">/openapi.json</a>, <a href="/api">/api</a>. Dashboard: <a href="${DASHBOARD_PATH}">${DASHBOARD_PATH}</a>.</p>
${problems.length ? `<div class="problems"><h2>Route problems</h2><ul>${problems.map((p) => `<li>${escape(p)}</li>`).join("")}</ul></div>` : ""}
${actors || "<p>No actors found on the bus yet.</p>"}
</body></html>`;
}
