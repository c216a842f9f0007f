/**
 * The database panel's tables and rows, in `/dashboard/db.js` (which runs after app.js and uses
 * its `call`, `el`, `$` and `every`): every table with its row count from `db.tables`, and the
 * rows of the picked one from `db.select`, paged, filtered by one column and sorted by a header.
 * A refused call (FORBIDDEN without the admin role) is shown in the panel; the rest goes on.
 * Values are written as text, never as HTML.
 */
export const DB_ROWS_SCRIPT = String.raw`
const dbView = { tables: [], table: "", offset: 0, limit: 25, where: undefined, filter: "", orderBy: undefined, seenRows: -1, seq: 0 };
const dbTable = () => dbView.tables.find((t) => t.name === dbView.table);

function dbNotice(sel, text) {
  $(sel).textContent = text;
}

async function refreshDbTables() {
  const r = await call(DB.tables);
  // A hub without the db actor has no panel.
  $("#db-panel").hidden = r.status === 404;
  if (!r.ok) return dbNotice("#db-tables-error", errorText(r));
  dbNotice("#db-tables-error", "");
  dbView.tables = r.body.tables;
  $("#db-tables tbody").replaceChildren(...dbView.tables.map((t) => el("tr", { dataset: { table: t.name } },
    el("td", {}, el("a", { href: "#", textContent: t.name, onclick: (ev) => { ev.preventDefault(); pickDbTable(t.name); } })),
    el("td", { textContent: String(t.rows), dataset: { field: "rows" } }),
    el("td", { textContent: t.columns.map((c) => c.name + " " + c.kind).join(", "), dataset: { field: "columns" } }),
    el("td", { textContent: t.schema || "(no schema file)" }))));
  const picker = $("#db-table");
  const names = dbView.tables.map((t) => t.name);
  if ([...picker.options].map((o) => o.value).join() !== names.join()) picker.replaceChildren(...names.map((n) => el("option", { value: n, textContent: n })));
  if (!names.includes(dbView.table)) return names.length ? pickDbTable(names[0]) : showNoTable();
  picker.value = dbView.table;
  // Rows written or removed elsewhere: the page shown is read again.
  if (dbTable().rows !== dbView.seenRows) await loadDbRows();
}

function showNoTable() {
  dbView.table = "";
  $("#db-rows thead").replaceChildren();
  $("#db-rows tbody").replaceChildren();
  dbNotice("#db-range", "no tables");
}

function pickDbTable(name) {
  Object.assign(dbView, { table: name, offset: 0, where: undefined, filter: "", orderBy: undefined });
  $("#db-table").value = name;
  $("#db-filter-column").replaceChildren(...dbTable().columns.filter((c) => c.kind !== "blob").map((c) => el("option", { value: c.name, textContent: c.name })));
  return loadDbRows();
}

function dbHeader(columns) {
  const [sorted, desc] = dbView.orderBy ? [dbView.orderBy.replace(/^-/, ""), dbView.orderBy.startsWith("-")] : ["", false];
  // A header click sorts by its column, ascending, then descending, then in the table's order.
  const next = (name) => (sorted !== name ? name : desc ? undefined : "-" + name);
  return el("tr", {}, ...columns.map((c) => el("th", { dataset: { column: c.name } }, el("button", {
    type: "button", className: "db-sort", title: "sort by " + c.name + " (" + c.kind + ")",
    textContent: c.name + (sorted === c.name ? (desc ? " ▼" : " ▲") : ""),
    onclick: () => { dbView.orderBy = next(c.name); dbView.offset = 0; loadDbRows(); },
  }))));
}

function dbRow(row, columns) {
  return el("tr", {}, ...columns.map((c) => {
    const text = cellText(row[c.name], c.kind);
    return el("td", { textContent: text, title: text, className: row[c.name] === null ? "null" : "", dataset: { column: c.name } });
  }));
}

async function loadDbRows() {
  const table = dbTable();
  if (!table) return;
  const seq = ++dbView.seq;
  const input = { table: table.name, limit: dbView.limit, offset: dbView.offset, ...(dbView.where ? { where: dbView.where } : {}), ...(dbView.orderBy ? { orderBy: dbView.orderBy } : {}) };
  const r = await call(DB.select, input);
  // An answer overtaken by a later request (another page, table or filter) is dropped.
  if (seq !== dbView.seq) return;
  dbView.seenRows = table.rows;
  $("#db-rows thead").replaceChildren(dbHeader(table.columns));
  $("#db-filter-state").textContent = dbView.filter ? "filtered: " + dbView.filter : "";
  if (!r.ok) {
    $("#db-rows tbody").replaceChildren();
    dbNotice("#db-range", "");
    $("#db-prev").disabled = $("#db-next").disabled = true;
    return dbNotice("#db-rows-error", errorText(r));
  }
  dbNotice("#db-rows-error", "");
  const { rows, total } = r.body;
  // The page ran past the end (rows were removed): show the last one.
  if (!rows.length && dbView.offset > 0 && total > 0) return pageDbRows(Math.floor((total - 1) / dbView.limit) * dbView.limit);
  $("#db-rows tbody").replaceChildren(...rows.map((row) => dbRow(row, table.columns)));
  dbNotice("#db-range", rangeText(dbView.offset, rows.length, total));
  $("#db-prev").disabled = dbView.offset === 0;
  $("#db-next").disabled = dbView.offset + rows.length >= total;
}

function pageDbRows(offset) {
  dbView.offset = Math.max(0, offset);
  return loadDbRows();
}

$("#db-table").onchange = (ev) => pickDbTable(ev.target.value);
$("#db-page-size").onchange = (ev) => { dbView.limit = Number(ev.target.value); pageDbRows(0); };
$("#db-prev").onclick = () => pageDbRows(dbView.offset - dbView.limit);
$("#db-next").onclick = () => pageDbRows(dbView.offset + dbView.limit);
$("#db-filter").onsubmit = (ev) => {
  ev.preventDefault();
  const column = $("#db-filter-column").value, op = $("#db-filter-op").value, text = $("#db-filter-value").value;
  const kind = dbTable().columns.find((c) => c.name === column).kind;
  Object.assign(dbView, { where: filterWhere(column, kind, op, text), filter: filterText(column, op, text) });
  pageDbRows(0);
};
$("#db-filter-clear").onclick = () => {
  Object.assign(dbView, { where: undefined, filter: "" });
  $("#db-filter-value").value = "";
  pageDbRows(0);
};
dbView.limit = Number($("#db-page-size").value);
$("#db-filter-op").replaceChildren(...Object.entries(FILTER_OPS).map(([value, label]) => el("option", { value, textContent: label })));
every(5000, () => (document.hidden ? Promise.resolve() : refreshDbTables()));
`;
