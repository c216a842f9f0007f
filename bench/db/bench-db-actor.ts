// The Fuse side of the database bench: inserts and point reads through ctx.db.
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

export default defineActor({
  name: "dbbench",
  endpoints: {
    insert: defineEndpoint({
      input: z.object({ n: z.number().int(), writer: z.string() }),
      output: z.object({ ms: z.number() }),
      handler: async ({ n, writer }, ctx) => {
        const t = ctx.db.table("entries");
        const started = performance.now();
        for (let i = 0; i < n; i++) await t.insert({ writer, seq: i });
        return { ms: performance.now() - started };
      },
    }),
    read: defineEndpoint({
      input: z.object({ n: z.number().int(), maxId: z.number().int() }),
      output: z.object({ ms: z.number(), found: z.number() }),
      handler: async ({ n, maxId }, ctx) => {
        const t = ctx.db.table("entries");
        const started = performance.now();
        let found = 0;
        for (let i = 0; i < n; i++) if (await t.get(1 + ((i * 7919) % maxId))) found++;
        return { ms: performance.now() - started, found };
      },
    }),
  },
});
