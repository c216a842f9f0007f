import { createLogger, type Logger } from "../../log/index.ts";
import { DEFAULT_PREFIX, newTraceId, type DeadLetter, type Principal } from "../../protocol/index.ts";
import { Caller, type CallOptions, type CallResult } from "../caller.ts";
import type { AnyActor } from "../define-actor.ts";
import { InProcessTransport } from "./in-process-transport.ts";
import { testPrincipalToken, testPrincipals } from "./test-principals.ts";
import { startActor, type RunningActor } from "../start-actor.ts";
import { toFuseError } from "../../errors/index.ts";
import { Database, loadTableSchemas, migrate, type DatabaseOptions } from "../../table/index.ts";

export interface TestHubOptions {
  /** Instances to start of every actor. Default 1. */
  instances?: number;
  /** Logger for the actors. Default: silent. */
  log?: Logger;
  /**
   * A database for `ctx.db`, e.g. `{ url: "file:/tmp/x.db", schemas: [...] }` or with
   * `hubDir` for its `schemas/`; its tables are created before the actors start.
   */
  db?: DatabaseOptions;
  /**
   * How events are retried, as the config's `events` sets it on a real hub, e.g.
   * `{ maxDeliver: 3, backoffMs: [10] }` for quick retries. Default: the hub's defaults.
   */
  events?: { maxDeliver?: number; backoffMs?: number[] };
}

/** Options of `TestHub.call`: those of `ctx.call`, and the outside caller to act for. */
export interface TestCallOptions extends CallOptions {
  /**
   * Call as the gateway would for this outside caller: the endpoint checks its access against
   * it (FORBIDDEN without the role) and the handler sees it as `ctx.principal`, as do the
   * endpoints it calls. Default: none, a call from the bus with no outside caller.
   * @example await hub.call("db.drop", input, { principal: { id: "ada", roles: ["user"], via: "key" } });
   */
  principal?: Principal;
}

export interface TestHub {
  /** Calls `"actor.endpoint"` as an outside client would, through the same call path as `ctx.call`. */
  call<TOutput = unknown>(target: string, input?: unknown, options?: TestCallOptions): Promise<TOutput>;
  tryCall<TOutput = unknown>(target: string, input?: unknown, options?: TestCallOptions): Promise<CallResult<TOutput>>;
  readonly transport: InProcessTransport;
  /** Events given up after their attempts, as the hub's dead-letter stream would hold them. */
  deadLetters(): DeadLetter[];
  stop(): Promise<void>;
}

/**
 * Runs actors in this process on the in-process bus, for unit tests: the same validation,
 * error shapes and context as on NATS, with no server.
 *
 * @example
 * const hub = await createTestHub([greeter, counter]);
 * expect(await hub.call("greeter.hello", { name: "Ada" })).toEqual({ greeting: "Hello, Ada" });
 * await hub.stop();
 */
export async function createTestHub(actors: AnyActor[], options: TestHubOptions = {}): Promise<TestHub> {
  const transport = new InProcessTransport({ events: options.events });
  const log = options.log ?? createLogger({ actor: "test", level: "silent" });
  const running: RunningActor[] = [];
  if (options.db?.url) {
    const db = new Database(options.db);
    const schemas = options.db.schemas ?? (options.db.hubDir ? [...loadTableSchemas(options.db.hubDir).tables.values()] : []);
    await migrate(db.executor(), schemas);
    db.close();
  }
  for (const actor of actors) {
    for (let instance = 0; instance < (options.instances ?? 1); instance++) {
      running.push(await startActor(actor, { transport, instance, log: log.child({ actor: actor.name, instance }), db: options.db, principals: testPrincipals }));
    }
  }
  const client = new Caller(transport, DEFAULT_PREFIX, "test");
  const call = <T>(target: string, input?: unknown, opts: TestCallOptions = {}) => {
    const scope = { traceId: opts.traceId ?? newTraceId(), deadline: undefined, principalToken: opts.principal && testPrincipalToken(opts.principal) };
    return client.call(scope, target, input ?? {}, opts) as Promise<T>;
  };
  return {
    transport,
    deadLetters: () => [...transport.events.deadLetters],
    call,
    async tryCall<T>(target: string, input?: unknown, opts?: TestCallOptions): Promise<CallResult<T>> {
      try {
        return { ok: true, value: await call<T>(target, input, opts) };
      } catch (error) {
        return { ok: false, error: toFuseError(error) };
      }
    },
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
      await transport.close();
    },
  };
}
