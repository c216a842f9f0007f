/**
 * The Traces panel's markup and style, placed in the dashboard page: filters, the latest
 * requests, the store's fill, and the waterfall of the request picked (traces-script.ts,
 * waterfall-script.ts). Its `<style>` sits in the panel, allowed by its hash like the page's.
 */
const TRACES_STYLE = `
#traces-filters { display: flex; flex-wrap: wrap; gap: .3em .8em; align-items: center; margin-bottom: .4em; font-size: 13px; }
#traces-filters input[type=text] { width: 9em; } #traces-filters input[type=number] { width: 5em; }
#traces-off { background: #fff8e1; border: 1px solid #e6c96b; padding: .5em .8em; border-radius: 4px; }
#traces-off pre { margin: .3em 0 0; font: 12px ui-monospace, monospace; }
#traces-error { color: #b3261e; } #traces-fill { color: #666; font-size: 12px; margin: .3em 0; }
#traces tr.trace-error td[data-field=status] { color: #b3261e; font-weight: 600; }
#traces tr.trace-open { background: #eef4ff; }
#waterfall { margin-top: .6em; display: grid; gap: 2px; min-width: 0; }
#waterfall .wf-title { font-size: 13px; margin-bottom: .3em; overflow-wrap: anywhere; }
#waterfall .wf-row { display: grid; grid-template-columns: minmax(8em, 24em) minmax(0, 1fr) minmax(8em, 20em); gap: .5em; align-items: center; font-size: 12px; }
#waterfall .wf-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, monospace; }
#waterfall .wf-process { color: #666; margin-left: .4em; }
#waterfall .wf-track, #waterfall .wf-axis { position: relative; height: 16px; background: #f4f4f4; border-radius: 3px; }
#waterfall .wf-axis { background: none; border-bottom: 1px solid #bbb; }
#waterfall .wf-axis span { position: absolute; transform: translateX(-50%); color: #666; font-size: 11px; white-space: nowrap; }
#waterfall .wf-axis span:first-child { transform: none; } #waterfall .wf-axis span:last-child { transform: translateX(-100%); }
#waterfall .wf-bar { position: absolute; top: 2px; bottom: 2px; min-width: 1px; border: 1px solid #555; border-radius: 2px; box-sizing: border-box; }
#waterfall .wf-info { color: #444; overflow-wrap: anywhere; } #waterfall .wf-error { color: #b3261e; }
#waterfall .wf-orphan .wf-label { font-style: italic; }
@media (max-width: 640px) {
  #waterfall .wf-row { grid-template-columns: minmax(0, 1fr); gap: 1px; margin-bottom: .4em; }
  #waterfall .wf-head .wf-label, #waterfall .wf-head .wf-info { display: none; }
}
`;

export const TRACES_PANEL = `<section class="panel" id="traces-panel"><style>${TRACES_STYLE}</style><h2>Traces</h2>
<div id="traces-off" hidden></div>
<form id="traces-filters">
<label>actor <input type="text" name="actor" placeholder="any" spellcheck="false"></label>
<label>endpoint <input type="text" name="endpoint" placeholder="hello or greeter.hello" spellcheck="false"></label>
<label>status <select name="status"><option value="">any</option><option value="ok">ok</option><option value="error">error</option></select></label>
<label>at least <input type="number" name="minMs" min="0" step="any"> ms</label>
<label><input type="checkbox" id="traces-live" checked> live</label>
</form>
<div id="traces-error"></div>
<table id="traces"><thead><tr><th>time</th><th>request</th><th>endpoint</th><th>status</th><th>duration</th><th>spans</th></tr></thead><tbody></tbody></table>
<div id="traces-fill"></div>
<div id="waterfall" hidden></div></section>`;
