import type { z } from "zod";
import type { Access } from "../access.ts";

/** An endpoint's public shape: what it takes, what it answers and, optionally, its own HTTP route. */
export interface EndpointContract {
  description: string;
  input: z.ZodType;
  output: z.ZodType;
  http?: { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string };
  /** Who may call it; default `authenticated`. */
  access?: Access;
  /** A control action: each call is logged at info with its input and who asked. */
  audit?: boolean;
}

export type EndpointContracts = Record<string, EndpointContract>;

/** A built-in actor's contract: its name and its endpoints, declared once for the actor and its clients. */
export interface ActorContract<TActor extends string = string, TEndpoints extends EndpointContracts = EndpointContracts> {
  actor: TActor;
  endpoints: TEndpoints;
  /** `"<actor>.<endpoint>"`, the target a client calls. */
  target(endpoint: keyof TEndpoints & string): string;
}

export type ContractInput<T extends EndpointContract> = z.input<T["input"]>;
export type ContractOutput<T extends EndpointContract> = z.output<T["output"]>;

/**
 * Declares a built-in actor's endpoints once: the actor implements them with
 * `defineEndpoint({ ...contract.endpoints.x, handler })`, the CLI and the dashboard call them
 * by `contract.target("x")` and read replies typed by `ContractOutput`.
 */
export function defineContract<const TActor extends string, const TEndpoints extends EndpointContracts>(
  actor: TActor,
  endpoints: TEndpoints,
): ActorContract<TActor, TEndpoints> {
  return { actor, endpoints, target: (endpoint) => `${actor}.${endpoint}` };
}
