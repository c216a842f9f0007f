import { currentContext, defineActor, defineEndpoint, UnavailableError, z } from "../../runtime/sdk/index.ts";
import { refusedBeforeRun } from "../../runtime/sdk/refused-before-run.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reports what context a request sees, after a random wait, directly and through ALS. */
export const probe = defineActor({
  name: "probe",
  endpoints: {
    where: defineEndpoint({
      input: z.object({ wait: z.number() }),
      output: z.object({ traceId: z.string(), als: z.string(), deadline: z.number(), caller: z.string().optional() }),
      handler: async ({ wait }, ctx) => {
        await sleep(wait);
        return { traceId: ctx.traceId, als: currentContext()!.traceId, deadline: ctx.deadline!, caller: ctx.caller };
      },
    }),
    slow: defineEndpoint({
      input: z.object({ ms: z.number() }),
      output: z.object({ aborted: z.boolean() }),
      handler: async ({ ms }, ctx) => {
        await sleep(ms);
        return { aborted: ctx.signal.aborted };
      },
    }),
  },
});

/** How many times each endpoint below was entered. */
export const entered = { refuse: 0, passOn: 0 };

/**
 * Refuses every request the way an instance refuses one before any handler runs (a keyed
 * instance that no longer owns the key), so its reply carries `Fuse-Not-Run`.
 */
export const mover = defineActor({
  name: "mover",
  endpoints: {
    refuse: defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: () => {
        entered.refuse++;
        throw refusedBeforeRun(new UnavailableError("this instance no longer owns the key; try again", { retryable: true }));
      },
    }),
  },
});

/** Calls probe.where after its own random wait, through a helper that only has ALS. */
export const relay = defineActor({
  name: "relay",
  endpoints: {
    chain: defineEndpoint({
      input: z.object({ wait: z.number() }),
      output: z.object({ own: z.string(), downstream: z.object({ traceId: z.string(), als: z.string(), deadline: z.number(), caller: z.string().optional() }), deadline: z.number() }),
      handler: async ({ wait }, ctx) => {
        await sleep(wait);
        return { own: ctx.traceId, downstream: await viaHelper(wait), deadline: ctx.deadline! };
      },
    }),
    missing: defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: async (_input, ctx) => ctx.call("probe.nothing-here", {}),
    }),
    // Its handler runs, and fails with the refusal it got from a call of its own.
    "pass-on": defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: async (_input, ctx) => {
        entered.passOn++;
        return ctx.call("mover.refuse", {}, { retries: 0 });
      },
    }),
    timeout: defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: async (_input, ctx) => ctx.call("probe.slow", { ms: 2000 }, { timeout: 100 }),
    }),
  },
});

// No ctx is passed in: the trace comes from AsyncLocalStorage.
async function viaHelper(wait: number) {
  const ctx = currentContext()!;
  return ctx.call<{ traceId: string; als: string; deadline: number; caller?: string }>("probe.where", { wait });
}
