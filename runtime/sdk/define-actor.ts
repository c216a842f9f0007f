import type { z } from "zod";
import { ConfigError } from "../errors/index.ts";
import { isValidName, kebabName, NAME_RULE, type Access } from "../protocol/index.ts";
import type { ActorContext } from "./context.ts";
import type { HttpRoute } from "./http-route.ts";
import { checkEventSubscriptions, type EventHandler, type EventSubscription } from "./event-subscription.ts";
import { checkDeclaredErrors, type DeclaredError } from "./declared-errors.ts";
import { checkAccess } from "./endpoint-access.ts";
import { checkSensitive } from "./sensitive-fields.ts";
import { checkBucketDeclarations, type BucketDeclarations } from "./stores/bucket-access.ts";
import { checkKeyed, type AnyKeyedOptions, type KeyedContext, type KeyedOptions } from "./keyed/keyed-options.ts";
import { checkEndpointGuards } from "./resilience/check-guards.ts";

export type { DeclaredError };

/** An HTTP route the gateway mounts for an endpoint, e.g. `{ method: "GET", path: "/hello/:name" }`. */
export type { HttpRoute };

export interface EndpointDefinition<TInput extends z.ZodType = z.ZodType, TOutput extends z.ZodType = z.ZodType> {
  /** Schema of the input; the request body is parsed with it before the handler runs. */
  input: TInput;
  /** Schema of the output; the handler's result is checked against it (OUTPUT_INVALID if not). */
  output: TOutput;
  /** One line shown in `/docs`, OpenAPI and `$SRV.INFO`. */
  description?: string;
  /** Optional HTTP route the gateway mounts besides `POST /api/<actor>/<endpoint>`. */
  http?: HttpRoute;
  /**
   * The business errors the handler may throw (as `AppError`), by code: their status (400–499)
   * and what they mean. Listed in `$SRV.INFO`, OpenAPI and `/docs`; an AppError of a declared
   * code thrown without a status gets the declared one. Throwing an undeclared code is allowed
   * (its log line says `undeclared`). Default: none.
   * @example errors: { OUT_OF_STOCK: { status: 409, description: "Fewer items left than asked for" } }
   */
  errors?: Record<string, DeclaredError>;
  /**
   * Who may call it: `"public"` (anyone, no credential), `"authenticated"` (any valid
   * credential; the default), `{ roles: ["ops"] }` (a credential holding one of the roles;
   * `admin` holds every role) or `"internal"` (other actors on the bus only: the gateway never
   * routes it and leaves it out of `/api`, OpenAPI, `/docs` and the dashboard). Checked by the
   * gateway and again by the SDK against the principal a request carries (`ctx.principal`).
   * @example access: { roles: ["admin"] }
   */
  access?: Access;
  /**
   * A control action: each call is logged at info, with its input and who asked (the principal,
   * else the calling actor, and the HTTP client's address). Default false.
   */
  audit?: boolean;
  /**
   * Input fields that must never reach a log line: hidden as `[REDACTED]` in the audit of a
   * control action and in every line of the handler's `ctx.log` that carries them under their
   * own names (at its top or up to two levels down, e.g. `{ input }`); a value copied under
   * another name is not recognised. Dotted into objects; through arrays, each element.
   * @example sensitive: ["password", "card.number"]
   */
  sensitive?: readonly string[];
  /**
   * Replies stored by idempotency key (`Fuse-Idempotency-Key`; HTTP clients send
   * `Idempotency-Key`) for `ttl` ms: a repeat gets the first reply without the handler running
   * again, one that arrives while the first still runs (on any instance) waits for it, and the
   * same key with another input is CONFLICT. Kept: outputs and the errors the handler ended
   * with; not kept: retryable errors, deadlines, cancels. Requests without a key run as usual.
   * @example idempotent: { ttl: 24 * 3_600_000 }
   */
  idempotent?: { ttl: number };
  /**
   * Bulkhead: at most this many handler runs at once on each instance; with `queue`, that many
   * more wait their turn; every further request is OVERLOADED (503, retryable) at once.
   * Default: no limit.
   */
  concurrency?: number;
  /** Requests waiting for a free run when `concurrency` are running. Default 0. */
  queue?: number;
  handler(input: z.output<TInput>, ctx: ActorContext): Promise<z.input<TOutput>> | z.input<TOutput>;
}

// Handlers are contravariant in their input; `any` lets endpoints of every type share a record.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = EndpointDefinition<any, any>;

export type { EventHandler, EventSubscription };

export interface ActorDefinition<TEndpoints extends Record<string, AnyEndpoint> = Record<string, AnyEndpoint>, TName extends string = string> {
  /**
   * The actor's name: lowercase letters, digits and dashes, starting with a letter (the rule of
   * every Fuse name). Subjects are `<prefix>.<name>.<endpoint>`. Kept as a literal type, so
   * `ctx.client<typeof Actor>("name")` can check the name callers spell.
   */
  name: TName;
  /** Semver of the actor, shown in `$SRV.INFO`. Default `0.1.0`. */
  version?: string;
  description?: string;
  endpoints: TEndpoints;
  /**
   * Event topics this actor listens to, each a handler or `{ handler, from, concurrency }`.
   * The actor gets each event at least once, on one of its instances; it is acknowledged when
   * the handler resolves and delivered again after a throw or a crash.
   */
  events?: Record<string, EventHandler | EventSubscription>;
  /**
   * Key-value and file buckets this actor uses besides its own (`ctx.kv`, `ctx.files`); the
   * hub lets its bus identity reach these and no other, and `ctx.kv.in` / `ctx.files.in` of
   * an undeclared one is FORBIDDEN. Several actors declaring one bucket share it.
   * @example buckets: { kv: ["stock", { name: "sessions", ttlMs: 15 * 60_000 }], files: ["uploads"] }
   */
  buckets?: BucketDeclarations;
  /**
   * Makes the actor keyed (a virtual actor, as Orleans grains and Dapr actors): every request
   * names a key, one turn runs at a time per key across all instances, and `ctx.state` holds
   * the key's state, loaded on first use and stored before each reply. See `KeyedOptions`.
   * @example keyed: { state: z.object({ items: z.array(z.string()) }), initial: { items: [] } }
   */
  keyed?: AnyKeyedOptions;
  /** Runs once per instance before it serves. */
  start?(ctx: ActorContext): Promise<void> | void;
  /** Runs once per instance right after its endpoints and event subscriptions are served (work that may call the actor itself). */
  serving?(ctx: ActorContext): Promise<void> | void;
  /** Runs once per instance after it stopped serving and drained. */
  stop?(ctx: ActorContext): Promise<void> | void;
}

export type AnyActor = ActorDefinition<Record<string, AnyEndpoint>>;

/** An endpoint of a keyed actor written inline in `defineActor`: its handler's `ctx` has the key and the typed state. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KeyedEndpoint<TState> = Omit<AnyEndpoint, "handler"> & { handler(input: any, ctx: KeyedContext<TState>): unknown };

const ACTOR_MARK = Symbol.for("fuse.actor");

/**
 * Declares one endpoint with typed input and output.
 *
 * @example
 * const hello = defineEndpoint({
 *   input: z.object({ name: z.string() }),
 *   output: z.object({ greeting: z.string() }),
 *   handler: async ({ name }) => ({ greeting: `Hello, ${name}` }),
 * });
 */
export function defineEndpoint<TInput extends z.ZodType, TOutput extends z.ZodType>(
  definition: EndpointDefinition<TInput, TOutput>,
): EndpointDefinition<TInput, TOutput> {
  return definition;
}

/**
 * Declares an actor: its name and endpoints. Endpoint names follow the same rule as actor
 * names (`add-line`, not `addLine`). Export it as the module's default export; the
 * hub runs the module in its own process. Bad names or missing schemas fail here, at load.
 *
 * @throws CONFIG_INVALID when the name, an endpoint name, a schema or a handler is missing or invalid.
 * @example
 * export default defineActor({
 *   name: "greeter",
 *   endpoints: { hello: defineEndpoint({ input, output, handler }) },
 * });
 */
export function defineActor<const TName extends string, TStateSchema extends z.ZodType, TEndpoints extends Record<string, KeyedEndpoint<z.output<TStateSchema>>>>(
  definition: ActorDefinition<TEndpoints, TName> & { keyed: KeyedOptions<TStateSchema> },
): ActorDefinition<TEndpoints, TName> & { keyed: KeyedOptions<TStateSchema> };
export function defineActor<const TName extends string, TEndpoints extends Record<string, AnyEndpoint>>(
  definition: ActorDefinition<TEndpoints, TName>,
): ActorDefinition<TEndpoints, TName>;
export function defineActor<const TName extends string, TEndpoints extends Record<string, AnyEndpoint>>(
  definition: ActorDefinition<TEndpoints, TName>,
): ActorDefinition<TEndpoints, TName> {
  const where = `actor "${definition.name}"`;
  if (typeof definition.name !== "string" || !isValidName(definition.name)) {
    throw new ConfigError(`${where}: name must be ${NAME_RULE}, got ${JSON.stringify(definition.name)}${hint(definition.name)}`);
  }
  for (const [name, endpoint] of Object.entries(definition.endpoints ?? {})) {
    if (!isValidName(name)) {
      throw new ConfigError(`${where} endpoint ${JSON.stringify(name)}: name must be ${NAME_RULE}${hint(name)}`);
    }
    for (const part of ["input", "output"] as const) {
      if (typeof endpoint?.[part]?.safeParse !== "function") {
        throw new ConfigError(`${where} endpoint "${name}": ${part} must be a zod schema`);
      }
    }
    if (typeof endpoint.handler !== "function") {
      throw new ConfigError(`${where} endpoint "${name}": handler must be a function`);
    }
    checkDeclaredErrors(`${where} endpoint "${name}"`, endpoint.errors);
    checkAccess(`${where} endpoint "${name}"`, endpoint.access);
    checkSensitive(`${where} endpoint "${name}"`, endpoint.sensitive);
    checkEndpointGuards(`${where} endpoint "${name}"`, endpoint);
  }
  checkEventSubscriptions(definition.name, definition.events);
  checkBucketDeclarations(definition.name, definition.buckets);
  checkKeyed(where, definition.keyed);
  Object.defineProperty(definition, ACTOR_MARK, { value: true });
  return definition;
}

// A "did you mean" for the common slip, camelCase or snake_case where kebab-case is the rule.
function hint(name: unknown): string {
  if (typeof name !== "string") return "";
  const suggestion = kebabName(name);
  return suggestion && suggestion !== name && isValidName(suggestion) ? ` (did you mean "${suggestion}"?)` : "";
}

export function isActorDefinition(value: unknown): value is AnyActor {
  return typeof value === "object" && value !== null && ACTOR_MARK in value;
}

/**
 * Where a built-in actor serves outside the bus, once its `start` hook ran (the gateway's HTTP
 * server): its process reports it to the hub with `ready`, so the hub learns its own node's
 * gateway without asking over the bus, where any node's gateway could answer.
 */
export const SERVED_ADDRESS = Symbol.for("fuse.served-address");

/**
 * A built-in actor whose code never calls `currentContext()` (it passes its contexts on by
 * hand): its requests and events run outside AsyncLocalStorage, so its process never turns on
 * Node's promise hooks, which then cost every promise it makes (about 0.3 µs each on Node 20;
 * the taskmaster makes hundreds per run).
 */
export const WITHOUT_CONTEXT_STORAGE = Symbol.for("fuse.without-context-storage");

/**
 * Called once a built-in actor takes no more requests, before its stop waits for those in
 * flight: one whose requests can wait long (`taskmaster.run` with `wait`) answers them now,
 * rather than hold its stop for the whole drain timeout.
 */
export const ON_DRAIN = Symbol.for("fuse.on-drain");

/** A built-in actor's definition, with the marks only the runtime's own actors set. */
export type InternalActor = AnyActor & { [SERVED_ADDRESS]?: () => string | undefined; [WITHOUT_CONTEXT_STORAGE]?: true; [ON_DRAIN]?: () => Promise<void> };
