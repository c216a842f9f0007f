/**
 * What a failed request to the database says about its statement, from the errors of
 * @libsql/client (its hrana client over a WebSocket, or fetch over HTTP). This file is the one
 * place that knows their shapes; test/integration/db-outcomes.test.ts fails when an upgrade
 * changes them.
 *
 * - `busy`: the server answered that the database is locked; nothing was applied.
 * - `not-sent`: the request never left this process (the connection was refused, or closed
 *   before the request was written); nothing was applied.
 * - `outcome-unknown`: the request was sent and the connection was lost before its reply; the
 *   statement may have been applied.
 * - undefined: any other error, an answer of the server (a SQL error, a constraint: nothing
 *   was applied), or a misuse (a closed client).
 */
export type ConnectionFailure = "busy" | "not-sent" | "outcome-unknown";

const BUSY = /SQLITE_BUSY|database is locked|SQLITE_LOCKED/i;
// Only a connection that was never made: ECONNREFUSED and the like come from connect().
const NOT_CONNECTED = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT/;
// How a lost connection shows: fetch (http:), the hrana WebSocket (ws:), or the socket itself.
const LOST = /fetch failed|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|other side closed|UND_ERR_|WebSocket|HRANA_(WEBSOCKET|CLOSED|PROTO)_ERROR|HTTP status 5\d\d/i;

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
}

function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  for (let e = error as ErrorLike | undefined; e && typeof e === "object" && out.length < 6; e = e.cause as ErrorLike | undefined) out.push(e);
  return out;
}

export function classifyFailure(error: unknown): ConnectionFailure | undefined {
  const errors = chain(error);
  const text = errors.map((e) => `${e.code ?? ""} ${e.message ?? ""}`).join(" ");
  if (BUSY.test(text)) return "busy";
  // An answer of the server (or of embedded SQLite), whose message may quote anything (a
  // column, a value): not a connection failure, whatever it says.
  if (errors.some((e) => e.name === "ResponseError" || e.name === "SqliteError")) return undefined;
  // The hrana client answers a request made on a connection or stream it already knows to be
  // closed with a ClosedError, without writing it.
  if (errors.some((e) => e.name === "ClosedError") || NOT_CONNECTED.test(text)) return "not-sent";
  return LOST.test(text) ? "outcome-unknown" : undefined;
}
