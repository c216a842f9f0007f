import { TASKS_PANEL } from "./tasks-script.ts";
import { SIGN_IN_FORM } from "./session-script.ts";
import { TIMELINE_STYLE } from "./timeline-script.ts";
import { DB_PANEL, DB_STYLE } from "./db-panel.ts";
import { TRAFFIC_PANELS, TRAFFIC_STYLE } from "./traffic-script.ts";
import { TRACES_PANEL } from "./traces-panel.ts";

/** The dashboard page at `/`: markup and style; the behaviour is in `/dashboard/app.js`. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Fuse hub — dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { background: #1d2330; color: #fff; padding: .7em 1.2em; display: flex; flex-wrap: wrap; gap: .4em 1.5em; align-items: baseline; }
header h1 { font-size: 1.2em; margin: 0; }
header a { color: #9cc3ff; }
main { padding: 1em 1.2em; display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.2em; }
/* A narrow window: wide tables and the step graph scroll inside their panel, never the page. */
section.panel { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8em 1em; overflow-x: auto; }
@media (max-width: 640px) { main { padding: .5em; } section.panel { padding: .6em; } }
h2 { font-size: 1.05em; margin: 0 0 .5em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #eee; white-space: nowrap; }
tr.status-running td[data-field=status] { color: #0a7a2f; font-weight: 600; }
tr.status-stopped td[data-field=status], tr.status-failed td[data-field=status] { color: #b3261e; font-weight: 600; }
tr.status-degraded td[data-field=status], tr.status-starting td[data-field=status], tr.status-busy td[data-field=status] { color: #a86b00; font-weight: 600; }
td.controls button { margin-right: .2em; }
input.scale { width: 3.5em; }
#notice.good { color: #0a7a2f; } #notice.bad { color: #b3261e; }
#conflicts, #hub-missing { background: #fdecea; border: 1px solid #e0a39d; padding: .5em .8em; border-radius: 4px; }
details.endpoint { margin: .3em 0 .3em 1em; }
details.endpoint textarea { width: 100%; max-width: 48em; font: 12px ui-monospace, monospace; display: block; }
pre.result { font: 12px ui-monospace, monospace; background: #f4f4f4; padding: .4em; max-height: 16em; overflow: auto; }
pre.result.bad { background: #fdecea; }
#logs { font: 12px ui-monospace, monospace; background: #111; color: #ddd; height: 18em; overflow: auto; padding: .4em; }
#dag { display: block; margin-top: .5em; } #run { overflow: auto; }
main[hidden] { display: none; } #signin { margin: 1em 1.2em; max-width: 40em; } #signin-error { color: #b3261e; } #who { color: #ccc; }
#logs .lvl-warn { color: #ffcc66; } #logs .lvl-error, #logs .lvl-fatal { color: #ff7b72; } #logs .lvl-debug { color: #8b949e; }${TIMELINE_STYLE}${DB_STYLE}${TRAFFIC_STYLE}</style>
</head>
<body>
<header><h1>Fuse hub</h1><a href="/docs">docs</a><a href="/openapi.json">openapi.json</a><a href="/api">/api</a><span id="notice"></span><span id="who"></span><button id="signout" type="button" hidden>sign out</button></header>
${SIGN_IN_FORM}
<main>
<div id="conflicts" hidden></div>
<div id="hub-missing" hidden>The <code>hub</code> actor does not answer: showing the actors found on the bus, without controls.</div>
<section class="panel"><h2>Actors</h2>
<table id="actors"><thead><tr><th>actor</th><th>status</th><th>instances</th><th>restarts</th><th>requests</th><th>errors</th><th>latency</th><th title="keys in memory per instance (keyed actors)">keys</th><th title="requests refused by a bulkhead (OVERLOADED) or an open circuit (CIRCUIT_OPEN)">refused</th><th title="circuits of this actor's calls that are not closed">circuits</th><th></th></tr></thead><tbody></tbody></table>
</section>
${TRAFFIC_PANELS}
${TRACES_PANEL}
<section class="panel"><h2>Logs <select id="log-actor"></select> <label><input type="checkbox" id="follow" checked> follow</label></h2><div id="logs"></div></section>
${TASKS_PANEL}
${DB_PANEL}
<section class="panel"><h2>Endpoints</h2><div id="endpoints"></div></section>
</main>
<script src="/dashboard/app.js"></script>
</body>
</html>`;
