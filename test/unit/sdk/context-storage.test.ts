import { describe, expect, it } from "vitest";
import { WITHOUT_CONTEXT_STORAGE, type InternalActor } from "../../../runtime/sdk/internal.ts";
import { createTestHub, currentContext, defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import { waitFor } from "../../helpers/index.ts";

// A handler finds its request's context with currentContext() across its awaits; a built-in
// actor marked WITHOUT_CONTEXT_STORAGE (the taskmaster) runs outside AsyncLocalStorage, and its
// handlers and event handlers still get their context as their argument.
function probe(name: string, seenEvents: { found: boolean; key: string | undefined }[]) {
  return defineActor({
    name,
    endpoints: {
      where: defineEndpoint({
        input: z.object({}),
        output: z.object({ found: z.boolean(), traceId: z.string() }),
        handler: async (_input, ctx) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return { found: currentContext() === ctx, traceId: ctx.traceId };
        },
      }),
      emit: defineEndpoint({ input: z.object({}), output: z.object({}), handler: async (_input, ctx) => (await ctx.emit(`${name}.ping`, {}), {}) }),
    },
    events: {
      [`${name}.ping`]: async (_payload, ctx) => {
        await Promise.resolve();
        seenEvents.push({ found: currentContext() === ctx, key: ctx.idempotencyKey });
      },
    },
  });
}

describe("context storage", () => {
  it("gives currentContext() to an actor's handlers, and nothing to a built-in actor marked without it, which still gets its ctx", async () => {
    const plainEvents: { found: boolean; key: string | undefined }[] = [];
    const bareEvents: { found: boolean; key: string | undefined }[] = [];
    const bare: InternalActor = probe("bare", bareEvents);
    bare[WITHOUT_CONTEXT_STORAGE] = true;
    const hub = await createTestHub([probe("plain", plainEvents), bare]);
    try {
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      expect(await hub.call("plain.where", {}, { traceId })).toEqual({ found: true, traceId });
      expect(await hub.call("bare.where", {}, { traceId })).toEqual({ found: false, traceId });
      await hub.call("plain.emit", {});
      await hub.call("bare.emit", {});
      await waitFor("both events handled", () => plainEvents.length === 1 && bareEvents.length === 1, 10_000);
      expect(plainEvents).toEqual([{ found: true, key: expect.any(String) }]);
      expect(bareEvents).toEqual([{ found: false, key: expect.any(String) }]);
    } finally {
      await hub.stop();
    }
  });
});
