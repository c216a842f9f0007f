import { ConfigError } from "../errors/index.ts";
import { REDACTED_PATHS, REDACTION_CENSOR, type Logger } from "../log/index.ts";

/** A field of the input: names of letters, digits and `_`, dotted into objects (`card.number`). */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Checks the `sensitive` fields an endpoint declares, at definition.
 * @throws CONFIG_INVALID naming the endpoint and the field.
 */
export function checkSensitive(where: string, sensitive: unknown): void {
  if (sensitive === undefined) return;
  if (!Array.isArray(sensitive)) throw new ConfigError(`${where}: sensitive must be a list of input fields such as ["password", "card.number"], got ${JSON.stringify(sensitive)}`);
  const bad = sensitive.find((field) => typeof field !== "string" || !FIELD_PATH.test(field));
  if (bad !== undefined) throw new ConfigError(`${where}: sensitive field ${JSON.stringify(bad)} is not a dotted field name such as "card.number"`);
}

/**
 * A copy of `input` with every sensitive field replaced by `[REDACTED]`, for Fuse's own log lines
 * of an input (the audit of a control action). A path through an array applies to each element.
 */
export function hideSensitive(input: unknown, fields: readonly string[]): unknown {
  let out = input;
  for (const field of fields) out = hide(out, field.split("."));
  return out;
}

function hide(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => hide(item, path));
  if (value === null || typeof value !== "object" || path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(value, head)) return value;
  const copy = { ...(value as Record<string, unknown>) };
  copy[head] = rest.length === 0 ? REDACTION_CENSOR : hide(copy[head], rest);
  return copy;
}

/**
 * The logger for an endpoint's handlers: the sensitive fields are hidden wherever a line carries
 * them at its top, one level down (`{ input }`, `{ order }`) or two; the credential keys stay
 * hidden too (a child's `redact` replaces its parent's).
 */
export function loggerHiding(log: Logger, fields: readonly string[] | undefined): Logger {
  if (!fields?.length) return log;
  const paths = fields.flatMap(spellings).flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);
  return log.child({}, { redact: { paths: [...REDACTED_PATHS, ...paths], censor: REDACTION_CENSOR } });
}

/**
 * A field's redact paths for every way through arrays: pino's `a.b` does not look inside an
 * array `a`, `a[*].b` does, so each step of the path is written both ways (`cards.number`,
 * `cards[*].number`).
 */
function spellings(field: string): string[] {
  const [first, ...rest] = field.split(".") as [string, ...string[]];
  return rest.reduce((paths, name) => paths.flatMap((p) => [`${p}.${name}`, `${p}[*].${name}`]), [first]);
}
