/**
 * The database panel's pure helpers, the start of `/dashboard/db.js`: a filter typed into the
 * page made into `db.select`'s `where` by the column's type, and the texts of a page range, a
 * size, a time, a cell and an error reply. Plain browser JavaScript with no DOM access, so a
 * unit test runs this very text (test/unit/gateway/db-format-script.test.ts).
 */
export const DB_FORMAT_SCRIPT = String.raw`
const NUMBER_TEXT = /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

// What the page sends for a typed value: numbers, booleans and JSON as such, anything else as the
// text typed, which db.select checks against the column and refuses naming it.
function filterValue(kind, text) {
  if ((kind === "integer" || kind === "real" || kind === "timestamp") && NUMBER_TEXT.test(text)) return Number(text);
  if (kind === "boolean" && /^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === "true";
  if (kind === "json") { try { return JSON.parse(text); } catch { return text; } }
  return text;
}

// The operators of the filter form, as db.select's where takes them.
const FILTER_OPS = { eq: "=", ne: "≠", gt: ">", gte: "≥", lt: "<", lte: "≤", like: "contains", null: "is null", notnull: "is not null" };

function filterWhere(column, kind, op, text) {
  if (op === "null" || op === "notnull") return { [column]: { isNull: op === "null" } };
  // "contains" is SQL LIKE around the text: % and _ in it are wildcards too.
  if (op === "like") return { [column]: { like: "%" + text + "%" } };
  return { [column]: { [op]: filterValue(kind, text) } };
}

function filterText(column, op, text) {
  return column + " " + FILTER_OPS[op] + (op === "null" || op === "notnull" ? "" : " " + JSON.stringify(text));
}

function rangeText(offset, shown, total) {
  if (total === 0) return "no rows";
  if (shown === 0) return "no rows from " + (offset + 1) + " (of " + total + ")";
  return "rows " + (offset + 1) + "–" + (offset + shown) + " of " + total;
}

function sizeText(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0, n = bytes;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
}

const timeText = (at) => new Date(at).toISOString().replace("T", " ").slice(0, 19) + " UTC";

// A stored value as text: timestamps as UTC times, bytes (sent as base64) by their size, JSON as JSON.
function cellText(value, kind) {
  if (value === null || value === undefined) return "NULL";
  if (kind === "timestamp" && typeof value === "number") return new Date(value).toISOString();
  if (kind === "blob" && typeof value === "object" && typeof value.base64 === "string") return "(" + sizeText(Math.floor((value.base64.replace(/=+$/, "").length * 3) / 4)) + " of bytes)";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function errorText(reply) {
  const e = reply.body && reply.body.error;
  return e ? e.code + ": " + e.message : "HTTP " + reply.status;
}
`;
