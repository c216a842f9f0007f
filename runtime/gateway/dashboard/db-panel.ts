import { DB_BACKUPS_SCRIPT } from "./db-backups-script.ts";
import { DB_FORMAT_SCRIPT } from "./db-format-script.ts";
import { DB_ROWS_SCRIPT } from "./db-rows-script.ts";

/** Where the database panel's script is served: a file of its own, run after app.js. */
export const DB_SCRIPT_PATH = "/dashboard/db.js";

/** The database panel's script: its pure helpers, then the tables and rows, then the backups. */
export const DB_SCRIPT = DB_FORMAT_SCRIPT + DB_ROWS_SCRIPT + DB_BACKUPS_SCRIPT;

/**
 * The markup of the database panel, placed in the dashboard page. Its script is deferred, so it
 * runs once the page is parsed, after app.js (whose helpers it uses).
 */
export const DB_PANEL = `<section class="panel" id="db-panel"><h2>Database</h2>
<p id="db-tables-error" class="db-error" role="alert"></p>
<table id="db-tables"><thead><tr><th>table</th><th>rows</th><th>columns</th><th>schema</th></tr></thead><tbody></tbody></table>
<h3>Rows</h3>
<div class="db-bar"><label>table <select id="db-table"></select></label>
<label>rows a page <select id="db-page-size"><option>10</option><option selected>25</option><option>50</option><option>100</option></select></label></div>
<form id="db-filter" class="db-bar"><label>filter <select id="db-filter-column" aria-label="column"></select></label>
<select id="db-filter-op" aria-label="operator"></select><input id="db-filter-value" aria-label="value" placeholder="value" size="12">
<button type="submit">filter</button><button type="button" id="db-filter-clear">clear</button><span id="db-filter-state"></span></form>
<div class="db-bar"><button type="button" id="db-prev">previous</button><span id="db-range"></span><button type="button" id="db-next">next</button></div>
<p id="db-rows-error" class="db-error" role="alert"></p>
<div class="db-scroll"><table id="db-rows"><thead></thead><tbody></tbody></table></div>
<h3>Backups</h3>
<div class="db-bar"><button type="button" id="db-backup">back up now</button><span id="db-backup-status" role="status"></span></div>
<div class="db-scroll"><table id="db-backups"><thead><tr><th>backup</th><th>written</th><th>size</th><th></th></tr></thead><tbody></tbody></table></div>
<p id="db-backups-none">No backups in .fuse/backups/ yet.</p>
<script src="${DB_SCRIPT_PATH}" defer></script></section>`;

/** The database panel's style, placed in the dashboard page. */
export const DB_STYLE = `
#db-panel h3 { font-size: 1em; margin: .8em 0 .3em; }
#db-panel .db-bar { display: flex; flex-wrap: wrap; gap: .4em .8em; align-items: center; margin: .4em 0; }
#db-panel .db-scroll { overflow-x: auto; max-width: 100%; }
#db-panel .db-error { color: #b3261e; margin: .3em 0; } #db-panel .db-error:empty { display: none; }
#db-tables td[data-field=columns] { white-space: normal; min-width: 12em; }
#db-rows td { max-width: 24em; overflow: hidden; text-overflow: ellipsis; font: 12px ui-monospace, monospace; }
#db-rows td.null { color: #999; font-style: italic; }
#db-rows th button.db-sort { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; }
#db-backup-status.good { color: #0a7a2f; } #db-backup-status.bad { color: #b3261e; } #db-filter-state { color: #555; }
#db-backups .db-confirm { white-space: normal; color: #7a4a00; }
`;
