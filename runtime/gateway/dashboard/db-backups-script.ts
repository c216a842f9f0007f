/**
 * The database panel's backups, in `/dashboard/db.js` after the rows: "back up now"
 * (`db.backup`), the backups newest first with their time and size (`db.backups`), and a restore
 * of each (`db.restore`) that asks first, since it replaces the rows of every table in the
 * backup. A refusal (FORBIDDEN without the admin role) is shown beside the button.
 * Values are written as text, never as HTML.
 */
export const DB_BACKUPS_SCRIPT = String.raw`
const dbBackups = { list: [], signature: "", confirming: "" };

function dbBackupStatus(text, bad) {
  const box = $("#db-backup-status");
  box.textContent = text;
  box.className = bad ? "bad" : "good";
}

// The tables the panel lists, each with its rows; Fuse's own (which a backup holds too) only counted.
function tablesText(tables) {
  const listed = tables.filter((t) => dbView.tables.some((x) => x.name === t.name));
  const own = tables.length - listed.length;
  return [...listed.map((t) => t.name + " " + t.rows + (t.rows === 1 ? " row" : " rows")), ...(own ? [own + " of Fuse's own tables"] : [])].join(", ") || "no tables";
}
const baseName = (file) => file.slice(file.lastIndexOf("/") + 1);

function backupControls(b) {
  const restore = (label, action, onclick) => el("button", { type: "button", textContent: label, dataset: { action }, onclick });
  if (dbBackups.confirming !== b.file) return [restore("restore", "restore", () => confirmRestore(b.file))];
  return [
    el("span", { className: "db-confirm", textContent: "Replace the rows of every table in this backup with its rows? Rows written since are lost. " }),
    restore("confirm restore", "confirm-restore", () => restoreBackup(b.file)),
    restore("cancel", "cancel", () => confirmRestore("")),
  ];
}

function drawBackups() {
  $("#db-backups tbody").replaceChildren(...dbBackups.list.map((b) => el("tr", { dataset: { file: b.file } },
    el("td", { textContent: baseName(b.file), title: b.file }),
    el("td", { textContent: timeText(b.at), dataset: { field: "at" } }),
    el("td", { textContent: sizeText(b.bytes), dataset: { field: "size" } }),
    el("td", { className: "controls" }, ...backupControls(b)))));
  $("#db-backups-none").hidden = dbBackups.list.length > 0;
}

function confirmRestore(file) {
  dbBackups.confirming = file;
  drawBackups();
}

async function refreshDbBackups() {
  const r = await call(DB.backups);
  if (!r.ok) return dbBackupStatus("backups unavailable: " + errorText(r), true);
  // Redrawn only when the list changed, so a confirmation being read stays where it is.
  const signature = JSON.stringify(r.body.backups);
  if (signature === dbBackups.signature) return;
  dbBackups.signature = signature;
  dbBackups.list = [...r.body.backups].reverse();
  drawBackups();
}

$("#db-backup").onclick = async () => {
  const button = $("#db-backup");
  button.disabled = true;
  dbBackupStatus("backing up…");
  const r = await call(DB.backup, {}, 300000).finally(() => (button.disabled = false));
  if (r.ok) dbBackupStatus("backup written: " + baseName(r.body.file) + " (" + sizeText(r.body.bytes) + "; " + tablesText(r.body.tables) + ")");
  else dbBackupStatus("back up refused: " + errorText(r), true);
  await refreshDbBackups();
};

async function restoreBackup(file) {
  dbBackupStatus("restoring " + baseName(file) + "…");
  const r = await call(DB.restore, { file }, 300000);
  confirmRestore("");
  if (r.ok) dbBackupStatus("restored " + baseName(file) + ": " + tablesText(r.body.tables));
  else dbBackupStatus("restore refused: " + errorText(r), true);
  // The rows shown are read again, whatever the restore changed.
  dbView.seenRows = -1;
  await refreshDbTables();
}

every(10000, () => (document.hidden ? Promise.resolve() : refreshDbBackups()));
`;
