/**
 * What never reaches a log line: the values of the secrets this process knows (from config
 * references) and, by key, credentials that travel in headers.
 */

const REDACTED = "[REDACTED]";
// Shorter values would blank out ordinary words and numbers all over the logs.
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();
let pattern: RegExp | undefined;

/** Registers values (raw secrets) that every later log line of this process hides. */
export function neverLog(values: Iterable<string>): void {
  let added = false;
  for (const value of values) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    // A JSON line carries the value escaped: hide that spelling too.
    for (const spelling of [value, JSON.stringify(value).slice(1, -1)]) {
      if (secrets.has(spelling)) continue;
      secrets.add(spelling);
      added = true;
    }
  }
  if (!added) return;
  // Longest first, so a secret that contains another is hidden whole.
  const alternatives = [...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  pattern = new RegExp(alternatives.join("|"), "g");
}

/** The line with every registered secret replaced by `[REDACTED]`. */
export function redactSecrets(line: string): string {
  return pattern ? line.replace(pattern, REDACTED) : line;
}

const CREDENTIAL_KEYS = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "password", "secret", "token", "apiKey"];

/**
 * pino `redact` paths: credential keys at the top of a line, one level down (`headers.cookie`)
 * and two levels down (`req.headers.authorization`).
 */
export const REDACTED_PATHS: string[] = CREDENTIAL_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_]\w*$/.test(key) ? key : `["${key}"]`;
  const at = (prefix: string) => (k.startsWith("[") ? `${prefix}${k}` : `${prefix}.${k}`);
  return [k.startsWith("[") ? k : key, at("*"), at("*.*")];
});

export const REDACTION_CENSOR = REDACTED;
