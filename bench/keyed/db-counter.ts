// The stateless counter on ctx.db, as a competent user writes it: one atomic upsert that adds
// one and returns the new count (no read-then-write, so no lost update and one round trip).
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

export default defineActor({
  name: "dbcount",
  endpoints: {
    increment: defineEndpoint({
      input: z.object({ key: z.string() }),
      output: z.object({ count: z.number() }),
      handler: async ({ key }, ctx) => {
        const [row] = await ctx.db.sql<{ n: number }>("INSERT INTO counters (key, n) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1 RETURNING n", [key]);
        return { count: Number(row!.n) };
      },
    }),
  },
});
