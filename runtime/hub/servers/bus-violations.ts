/**
 * What nats-server says on stderr when it refuses a client: a publish or subscription outside
 * the identity's permissions, or a connection without a valid credential. The hub logs each
 * with the identity's name, so a refusal says who tried what.
 */
export interface BusViolation {
  kind: "publish" | "subscribe" | "connect";
  /** The client's address (`127.0.0.1:58058`). */
  client?: string;
  /** The client's connection name (e.g. `alpha#0`). */
  connection?: string;
  /** The NKey (public) the client authenticated with. */
  nkey?: string;
  subject?: string;
}

// The client part: `<address> - cid:<n> - "<lib version>:<lang>:<connection name>" - `.
const CLIENT = /\] (\d[\d.:[\]a-f]*:\d+) - cid:\d+ - (?:"([^"]*)" - )?/;
const LIBRARY = /^v?[\d.]+:[^:]*:?/;
const PERMISSION = /(Publish|Subscription) Violation - (?:Nkey|User) "([^"]*)", Subject "([^"]*)"/;
const AUTH = /authentication error|Authorization Violation/;

/** The refusal a server log line reports, or undefined for any other line. */
export function parseBusViolation(line: string): BusViolation | undefined {
  const permission = PERMISSION.exec(line);
  const auth = !permission && AUTH.test(line);
  if (!permission && !auth) return undefined;
  const client = CLIENT.exec(line);
  const connection = client?.[2]?.replace(LIBRARY, "");
  const where = { ...(client?.[1] ? { client: client[1] } : {}), ...(connection ? { connection } : {}) };
  if (!permission) return { kind: "connect", ...where };
  return { kind: permission[1] === "Publish" ? "publish" : "subscribe", ...where, nkey: permission[2], subject: permission[3] };
}
