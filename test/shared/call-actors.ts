import { currentContext, defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

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
