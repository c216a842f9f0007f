import type { z } from "zod";
import type { CallOptions } from "./caller.ts";
import { ValidationError } from "../errors/index.ts";
import { isValidName, NAME_RULE } from "../protocol/index.ts";

/** What `ctx.client` needs of an actor's type: its literal name and its endpoints' schemas. */
export interface ClientTarget {
  name: string;
  endpoints: Record<string, { input: z.ZodType; output: z.ZodType }>;
}

// The endpoint's schemas are read by shape, not through EndpointDefinition's type parameters,
// so fields added to endpoints later (errors, idempotency) do not change what a client sees.
type InputOf<TEndpoint> = TEndpoint extends { input: infer TSchema extends z.ZodType } ? z.input<TSchema> : never;
type OutputOf<TEndpoint> = TEndpoint extends { output: infer TSchema extends z.ZodType } ? z.output<TSchema> : never;

/**
 * One endpoint seen from a caller: its input is what the callee's input schema accepts
 * (defaults may be left out), its result what the callee's output schema produces. An input
 * whose every field is optional may be left out.
 */
export type EndpointCall<TEndpoint> =
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  {} extends InputOf<TEndpoint>
    ? (input?: InputOf<TEndpoint>, options?: CallOptions) => Promise<OutputOf<TEndpoint>>
    : (input: InputOf<TEndpoint>, options?: CallOptions) => Promise<OutputOf<TEndpoint>>;

/** A typed stand-in for another actor: one method per endpoint, each a `ctx.call` to it. */
export type ActorClient<TActor extends ClientTarget> = {
  readonly [TName in keyof TActor["endpoints"] & string]: EndpointCall<TActor["endpoints"][TName]>;
};

type Call = (target: string, input: unknown, options?: CallOptions) => Promise<unknown>;

/**
 * Builds the runtime side of `ctx.client(name)`: property `x` is a function calling
 * `"<name>.x"` through `call`. Only string keys other than `then` become endpoints, so the
 * client is not mistaken for a promise when a handler returns or awaits it.
 * @throws VALIDATION_FAILED when `name` is not a valid actor name.
 */
export function createActorClient<TActor extends ClientTarget>(name: string, call: Call): ActorClient<TActor> {
  if (typeof name !== "string" || !isValidName(name)) {
    throw new ValidationError(`ctx.client: actor name must be ${NAME_RULE}, got ${JSON.stringify(name)}`);
  }
  const methods = new Map<string, (input?: unknown, options?: CallOptions) => Promise<unknown>>();
  return new Proxy(Object.create(null) as object, {
    get(_target, property) {
      if (typeof property !== "string" || property === "then") return undefined;
      let method = methods.get(property);
      if (!method) {
        method = (input, options) => call(`${name}.${property}`, input ?? {}, options);
        methods.set(property, method);
      }
      return method;
    },
  }) as ActorClient<TActor>;
}
