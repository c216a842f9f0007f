// The stateless counter on ctx.kv with compare-and-set: ctx.kv.change reads the entry and
// writes it back with the revision read, again on a conflict (getEntry + update{revision}).
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

export default defineActor({
  name: "kvcount",
  endpoints: {
    increment: defineEndpoint({
      input: z.object({ key: z.string() }),
      output: z.object({ count: z.number() }),
      handler: async ({ key }, ctx) => {
        const entry = await ctx.kv.change<number>(`count.${key}`, (n = 0) => n + 1);
        return { count: entry!.value };
      },
    }),
    // The floor: a stateless call that touches no store.
    echo: defineEndpoint({
      input: z.object({ key: z.string() }),
      output: z.object({ count: z.number() }),
      handler: () => ({ count: 0 }),
    }),
  },
});
