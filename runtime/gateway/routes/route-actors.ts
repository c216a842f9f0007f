import type { DeclaredError, DiscoveredService, HttpRoute, JsonSchema } from "../../sdk/internal.ts";
import type { Access } from "../../protocol/index.ts";

/** One endpoint the gateway can reach. */
export interface EndpointEntry {
  actor: string;
  endpoint: string;
  /** `actor.endpoint`, as `ctx.relay` takes it. */
  target: string;
  description?: string;
  input: JsonSchema;
  output: JsonSchema;
  /** Stores its replies by idempotency key, so a request carrying one may be sent again. */
  idempotent?: boolean;
  http?: HttpRoute;
  /** The business errors the endpoint declares, by code. */
  errors?: Record<string, DeclaredError>;
  /** Who may call it (absent: `authenticated`); `internal` ones are never routed nor listed. */
  access?: Access;
  /** A keyed actor's endpoint: reached as `POST /api/<actor>/<key>/<endpoint>`. */
  keyed?: boolean;
  /** Discovery rounds in a row in which the actor answered without this endpoint. */
  missed?: number;
}

export interface ActorEntry {
  name: string;
  description: string;
  version: string;
  /** Whether an instance answered discovery lately. An offline actor keeps its endpoints (503, not 404). */
  live: boolean;
  /** Instances that answered the latest discovery. */
  instances: number;
  /** On a cluster: those instances per node. */
  nodes?: Record<string, number>;
  /** Discovery rounds in a row that this actor did not answer. */
  missed: number;
  endpoints: Map<string, EndpointEntry>;
}

/** Offline after this many discovery rounds without an answer: one late answer is not a departure. */
export const MISSES_BEFORE_OFFLINE = 2;

/**
 * The actors of one discovery round, with what the previous table knew of them: actors that
 * did not answer stay (offline after a while), and so do endpoints that vanished lately.
 */
export function actorsFrom(services: DiscoveredService[], previous: Map<string, ActorEntry>): Map<string, ActorEntry> {
  const actors = new Map<string, ActorEntry>();
  for (const service of services) {
    let actor = actors.get(service.actor);
    if (!actor) {
      actor = { name: service.actor, description: service.description, version: service.version, live: true, instances: 0, missed: 0, endpoints: new Map() };
      actors.set(service.actor, actor);
    }
    actor.instances++;
    if (service.node) (actor.nodes ??= {})[service.node] = (actor.nodes[service.node] ?? 0) + 1;
    for (const e of service.endpoints) {
      // Instances in a rolling restart may differ: the union of their endpoints is served.
      if (actor.endpoints.has(e.name)) continue;
      const entry: EndpointEntry = { actor: service.actor, endpoint: e.name, target: `${service.actor}.${e.name}`, input: e.input, output: e.output };
      if (e.idempotent) entry.idempotent = true;
      if (e.description) entry.description = e.description;
      if (e.http) entry.http = e.http;
      if (e.errors) entry.errors = e.errors;
      if (e.access) entry.access = e.access;
      if (e.keyed) entry.keyed = true;
      actor.endpoints.set(e.name, entry);
    }
  }
  for (const [name, old] of previous) {
    const actor = actors.get(name);
    if (actor) {
      keepVanished(old, actor);
      continue;
    }
    const missed = old.missed + 1;
    const live = old.live && missed < MISSES_BEFORE_OFFLINE;
    actors.set(name, { ...old, missed, live, instances: live ? old.instances : 0 });
  }
  return actors;
}

/**
 * Endpoints that a live actor stopped listing stay for as many rounds as a silent actor stays
 * live: a new instance answers discovery before its endpoints are registered, and while a
 * rolling restart swaps instances that may be the only answer. Kept, a call reaches the bus
 * and gets a retryable 503 there instead of a 404 here.
 */
function keepVanished(old: ActorEntry, actor: ActorEntry): void {
  for (const [name, entry] of old.endpoints) {
    if (actor.endpoints.has(name)) continue;
    const missed = (entry.missed ?? 0) + 1;
    if (missed < MISSES_BEFORE_OFFLINE) actor.endpoints.set(name, { ...entry, missed });
  }
}
