import { taskmasterContract } from "../../protocol/index.ts";
import { defineEndpoint, spanOf } from "../../sdk/internal.ts";
import type { RunEngine } from "../run/run-engine.ts";
import type { TaskRegistry } from "./task-registry.ts";

const { endpoints } = taskmasterContract;

// A reply sent right at the caller's deadline arrives too late; answer a little before.
const REPLY_MARGIN_MS = 250;

export interface RunEndpointsDeps {
  registry: TaskRegistry;
  /** The run engine, there once the actor has started. */
  engine(): RunEngine;
}

/** `taskmaster.run`, `status`, `runs`, `cancel`, `rerun`, `signal` and `result`: starting runs, reading them back, completing their signal steps. */
export function runEndpoints({ registry, engine }: RunEndpointsDeps) {
  return {
    run: defineEndpoint({
      ...endpoints.run,
      handler: async ({ task, input, wait, timeoutMs }, ctx) => {
        const definition = registry.get(task);
        const run = await engine().start(definition, input, {
          traceId: ctx.traceId,
          parentSpan: spanOf(ctx),
          ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
          // A caller that waits hears of the run at its end: its record needs no write of its own.
          ...(wait ? { untilEnd: true } : {}),
        });
        if (!wait) return run;
        const budget = Math.max(0, Math.min(timeoutMs ?? Infinity, ctx.remainingMs() - REPLY_MARGIN_MS));
        const { steps: _steps, ...record } = await engine().wait(run.id, budget);
        return record;
      },
    }),
    status: defineEndpoint({ ...endpoints.status, handler: ({ runId }) => engine().detail(runId) }),
    runs: defineEndpoint({ ...endpoints.runs, handler: async (filter) => ({ runs: await engine().list(filter) }) }),
    cancel: defineEndpoint({ ...endpoints.cancel, handler: ({ runId }) => engine().cancel(runId) }),
    rerun: defineEndpoint({ ...endpoints.rerun, handler: ({ runId, from }, ctx) => engine().rerun(runId, from, ctx.traceId, spanOf(ctx)) }),
    signal: defineEndpoint({
      ...endpoints.signal,
      // The token is the credential: kept out of the audit line and the logs.
      sensitive: ["token", "output"],
      handler: ({ token, output }) => engine().signal(token, output),
    }),
    result: defineEndpoint({
      ...endpoints.result,
      // Outputs kept in files are read back here (status names them only, to fit in a bus message).
      handler: async ({ runId }) => ({ run: await engine().detail(runId, { full: true }), schema: await engine().schemaOf(runId) }),
    }),
  };
}
