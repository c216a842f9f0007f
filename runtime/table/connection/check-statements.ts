import { ValidationError } from "../../errors/index.ts";
import type { SqlValue, Statement } from "./statement.ts";

/**
 * The largest request sqld takes over a WebSocket: a bigger message makes it close the
 * connection, failing every other request on it. One limit for every URL kind, so a batch that
 * works over HTTP does not break once an actor talks over a WebSocket.
 */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024 - 64 * 1024;
// What the protocol wraps around each statement and each value (JSON keys, types, ids), rounded up.
const STATEMENT_OVERHEAD = 256;
const ARG_OVERHEAD = 64;
// A JSON-escaped UTF-16 code unit takes at most 6 bytes (`\u0001`).
const MAX_BYTES_PER_CHAR = 6;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

type WellFormed = string & { isWellFormed?: () => boolean };

/**
 * Where the first lone surrogate of `text` is, or -1. A lone surrogate cannot be encoded as
 * UTF-8: sqld refuses the whole message and closes the connection it came on.
 */
export function loneSurrogateAt(text: string): number {
  if ((text as WellFormed).isWellFormed?.() ?? !LONE_SURROGATE.test(text)) return -1;
  return LONE_SURROGATE.exec(text)?.index ?? -1;
}

function hex(text: string, at: number): string {
  return `\\u${text.charCodeAt(at).toString(16)}`;
}

/** VALIDATION_FAILED for text with a lone surrogate (at `at`), naming `what` and its `path`. */
export function refuseText(text: string, at: number, what: string, path: string, quoted = true): never {
  const got = quoted ? `${JSON.stringify(text).slice(0, 60)} (${hex(text, at)} at index ${at})` : `${hex(text, at)} at index ${at}`;
  throw new ValidationError(`${what}: expected text without a lone surrogate (the database cannot store one), got ${got}`, {
    details: { issues: [{ path, code: "invalid_format", message: "lone surrogate" }] },
  });
}

/** A bound on the encoded size of a value beyond ARG_OVERHEAD, or -1 when it cannot be sent. */
function argBound(value: SqlValue): number {
  if (typeof value === "string") return loneSurrogateAt(value) < 0 ? value.length * MAX_BYTES_PER_CHAR : -1;
  if (typeof value === "number") return Number.isFinite(value) ? 0 : -1;
  if (value === null) return 0;
  if (typeof value === "bigint") return value >= I64_MIN && value <= I64_MAX ? 0 : -1;
  return value instanceof Uint8Array ? Math.ceil(value.byteLength / 3) * 4 : -1;
}

function refuseArg(value: SqlValue, what: string, path: string): never {
  if (typeof value === "string") refuseText(value, loneSurrogateAt(value), what, path);
  const expected = typeof value === "bigint" ? "a 64-bit integer" : typeof value === "number" ? "a finite number" : "a string, number, bigint, bytes or null";
  const got = typeof value === "number" || typeof value === "bigint" ? String(value) : typeof value;
  throw new ValidationError(`${what}: expected ${expected}, got ${got}`, { details: { issues: [{ path, code: "invalid_type", message: `expected ${expected}` }] } });
}

/** The bytes a statement takes in a request, as the protocol encodes it (JSON, bytes as base64). */
export function encodedSize(statement: Statement): number {
  let bytes = STATEMENT_OVERHEAD + Buffer.byteLength(JSON.stringify(statement.sql));
  for (const a of statement.args) {
    bytes += ARG_OVERHEAD;
    if (typeof a === "string") bytes += Buffer.byteLength(JSON.stringify(a));
    else if (a instanceof Uint8Array) bytes += Math.ceil(a.byteLength / 3) * 4;
  }
  return bytes;
}

/** `INSERT INTO "notes"`: what a statement does, without its values, for messages. */
export function statementHead(sql: string): string {
  const head = /^\s*((?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|SELECT|WITH|CREATE|DROP|ALTER|\w+)\s*("(?:[^"]|"")*"|\w+)?/i.exec(sql);
  return head ? `${head[1]!.replace(/\s+/g, " ").toUpperCase()}${head[2] ? ` ${head[2]}` : ""}` : "(empty statement)";
}

/**
 * Refuses, before anything is sent, what the database would answer by closing the connection
 * (and so failing every other request on it): text with a lone surrogate, in the SQL or a value,
 * and a request above MAX_REQUEST_BYTES. Also values the client cannot bind (NaN, a bigint
 * beyond 64 bits, other types).
 * @throws VALIDATION_FAILED naming the statement (in a batch), and the value's position.
 */
export function checkStatements(statements: readonly Statement[]): void {
  let bound = 0;
  const many = statements.length > 1;
  const where = (s: number) => (many ? `statement ${s + 1} of ${statements.length} (${statementHead(statements[s]!.sql)}), ` : "");
  for (let s = 0; s < statements.length; s++) {
    const { sql, args } = statements[s]!;
    const at = loneSurrogateAt(sql);
    if (at >= 0) refuseText(sql, at, `${where(s)}sql text`, many ? `${s}.sql` : "sql", false);
    bound += STATEMENT_OVERHEAD + sql.length * MAX_BYTES_PER_CHAR;
    for (let i = 0; i < args.length; i++) {
      const size = argBound(args[i]!);
      if (size < 0) refuseArg(args[i]!, `${where(s)}sql argument ${i + 1}`, `${many ? `${s}.` : ""}args.${i}`);
      bound += ARG_OVERHEAD + size;
    }
  }
  // The bound is cheap and almost always enough; the exact size is worked out only near the limit.
  if (bound <= MAX_REQUEST_BYTES) return;
  const bytes = statements.reduce((sum, s) => sum + encodedSize(s), 0);
  if (bytes <= MAX_REQUEST_BYTES) return;
  const what = many ? `a batch of ${statements.length} statements (${statementHead(statements[0]!.sql)} …)` : statementHead(statements[0]!.sql);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  throw new ValidationError(`${what}: expected at most ${mib(MAX_REQUEST_BYTES)} in one database request, got ${mib(bytes)}; write fewer rows at once, or keep large values out of the database`, {
    details: { issues: [{ path: "", code: "too_big", message: `at most ${MAX_REQUEST_BYTES} bytes` }], bytes, limit: MAX_REQUEST_BYTES },
  });
}
