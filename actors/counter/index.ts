import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const counts = new Map<string, number>();

/** Counts visits per key, in memory (one count per instance). */
export default defineActor({
  name: "counter",
  description: "Counts visits per key",
  endpoints: {
    increment: defineEndpoint({
      description: "Adds one to a key's count and returns the new count",
      access: "internal", // only other actors (the greeter) count visits; not on HTTP
      input: z.object({ key: z.string().min(1) }),
      output: z.object({ key: z.string(), count: z.number().int() }),
      handler: ({ key }, ctx) => {
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        ctx.log.info({ key, count }, "count incremented");
        return { key, count };
      },
    }),
    get: defineEndpoint({
      description: "Returns a key's count",
      input: z.object({ key: z.string().min(1) }),
      output: z.object({ key: z.string(), count: z.number().int() }),
      handler: ({ key }) => ({ key, count: counts.get(key) ?? 0 }),
    }),
  },
});
