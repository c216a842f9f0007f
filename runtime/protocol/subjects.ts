/** The default subject prefix: `fuse.<actor>.<endpoint>`. */
export const DEFAULT_PREFIX = "fuse";

/** Subject prefix of the NATS micro-service discovery API. */
export const SERVICE_API_PREFIX = "$SRV";

/** Namespace for control traffic that is not an actor endpoint. */
export const CONTROL_PREFIX = "$FUSE";

/**
 * Where the hub says an instance died, body `{"instance":"<service id>","subjects":"<prefix>.<actor>."}`:
 * callers holding receipts from it stop waiting, and so, after a short grace, do callers of
 * that actor whose requests no instance took. Service ids are unique, so one subject serves every hub.
 */
export const INSTANCE_LOST_SUBJECT = `${CONTROL_PREFIX}.instance.lost`;

/** The name rule as a pattern source, for schemas that build on it (`actor.endpoint`, JSON Schema). */
export const NAME_PATTERN = "[a-z][a-z0-9-]*";

/** A whole name: `^NAME_PATTERN$`. */
export const NAME = new RegExp(`^${NAME_PATTERN}$`);

/** Actor and endpoint names: lowercase, digits and dashes, starting with a letter. */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/** The name rule in words, for messages: every refusal of a name states it the same way. */
export const NAME_RULE = "lowercase letters, digits and dashes, starting with a letter";

/** The kebab-case spelling of a name that breaks the rule (`addLine` → `add-line`), for "did you mean" hints. */
export function kebabName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .toLowerCase()
    .replace(/^[^a-z]+|-+$/g, "");
}

export function endpointSubject(prefix: string, actor: string, endpoint: string): string {
  return `${prefix}.${actor}.${endpoint}`;
}

export function eventSubject(prefix: string, topic: string): string {
  return `${prefix}.events.${topic}`;
}

/** Instances of one actor share this queue group, so NATS load-balances between them. */
export function queueGroup(actor: string): string {
  return actor;
}

export function servicePingSubject(actor?: string): string {
  return actor ? `${SERVICE_API_PREFIX}.PING.${actor}` : `${SERVICE_API_PREFIX}.PING`;
}

export function serviceInfoSubject(actor?: string): string {
  return actor ? `${SERVICE_API_PREFIX}.INFO.${actor}` : `${SERVICE_API_PREFIX}.INFO`;
}

export function serviceStatsSubject(actor?: string): string {
  return actor ? `${SERVICE_API_PREFIX}.STATS.${actor}` : `${SERVICE_API_PREFIX}.STATS`;
}

/**
 * Fuse's addition to the micro-service verbs: every actor process (and the hub) answers with its
 * Prometheus figures as prom-client JSON. Actors may already subscribe to `$SRV.*` and
 * `$SRV.*.<own name>`, so it needs no bus permission of its own.
 */
export function serviceMetricsSubject(actor?: string): string {
  return actor ? `${SERVICE_API_PREFIX}.METRICS.${actor}` : `${SERVICE_API_PREFIX}.METRICS`;
}

/**
 * The in-hub trace store (`telemetry.recent`): every process that keeps spans answers with
 * them (recent-traces.ts). Actors may subscribe to `$SRV.*`; only the gateway and the hub's
 * owners may ask (bus-permissions.ts), since spans carry every actor's error messages.
 */
export function serviceTracesSubject(): string {
  return `${SERVICE_API_PREFIX}.TRACES`;
}

export interface Target {
  actor: string;
  endpoint: string;
}

/** Splits `"actor.endpoint"`; returns undefined when the text is not of that form. */
export function parseTarget(text: string): Target | undefined {
  const dot = text.indexOf(".");
  if (dot <= 0 || dot !== text.lastIndexOf(".")) return undefined;
  const actor = text.slice(0, dot);
  const endpoint = text.slice(dot + 1);
  return isValidName(actor) && isValidName(endpoint) ? { actor, endpoint } : undefined;
}
