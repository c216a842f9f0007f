// One of the database bench's worker processes: an actor, run as the hub runs actors, whose
// endpoints insert and read `entries` through the store named by BENCH_DB_STORE. Each worker
// is its own actor (FUSE_ACTOR dbworker0…3) so every process gets exactly one call.
import { ProcessEnv } from "../../runtime/protocol/index.ts";
import { defineActor, defineEndpoint, z, type ActorContext } from "../../runtime/sdk/index.ts";
import { openEntryStore, type EntryStore } from "./entry-stores.ts";

let store: Promise<EntryStore> | undefined;
const storeOf = (ctx: ActorContext) => (store ??= openEntryStore(process.env.BENCH_DB_STORE ?? "", ctx, process.env));

export default defineActor({
  name: process.env[ProcessEnv.actor] ?? "dbworker0",
  endpoints: {
    insert: defineEndpoint({
      input: z.object({ n: z.number().int(), writer: z.string() }),
      output: z.object({ ms: z.number() }),
      handler: async ({ n, writer }, ctx) => {
        const entries = await storeOf(ctx);
        const started = performance.now();
        for (let i = 0; i < n; i++) await entries.insert(writer, i);
        return { ms: performance.now() - started };
      },
    }),
    read: defineEndpoint({
      input: z.object({ n: z.number().int(), maxId: z.number().int() }),
      output: z.object({ ms: z.number(), found: z.number() }),
      handler: async ({ n, maxId }, ctx) => {
        const entries = await storeOf(ctx);
        const started = performance.now();
        let found = 0;
        // A stride through the ids: every read a different row, none of them cached by order.
        for (let i = 0; i < n; i++) if (await entries.get(1 + ((i * 7919) % maxId))) found++;
        return { ms: performance.now() - started, found };
      },
    }),
    pragmas: defineEndpoint({
      input: z.object({}),
      output: z.record(z.string(), z.unknown()),
      handler: async (_input, ctx) => (await storeOf(ctx)).pragmas(),
    }),
  },
});
