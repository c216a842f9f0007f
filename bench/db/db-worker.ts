// One of the database bench's worker processes: an actor, run as the hub runs actors, whose
// endpoints insert and read `entries` through the store named by BENCH_DB_STORE. Each worker
// is its own actor (FUSE_ACTOR dbworker0…3) so every process gets exactly one call.
import { ProcessEnv } from "../../runtime/protocol/index.ts";
import { defineActor, defineEndpoint, z, type ActorContext } from "../../runtime/sdk/index.ts";
import { openEntryStore, type EntryStore } from "./entry-stores.ts";

let store: Promise<EntryStore> | undefined;
const p99 = (values: Float64Array) => values.slice().sort()[Math.floor(values.length * 0.99)] ?? 0;
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
      output: z.object({ ms: z.number(), found: z.number(), p99Us: z.number() }),
      handler: async ({ n, maxId }, ctx) => {
        const entries = await storeOf(ctx);
        const started = performance.now();
        let found = 0;
        const latencies = new Float64Array(n);
        // A stride through the ids: every read a different row, none of them cached by order.
        for (let i = 0; i < n; i++) {
          const began = performance.now();
          if (await entries.get(1 + ((i * 7919) % maxId))) found++;
          latencies[i] = performance.now() - began;
        }
        return { ms: performance.now() - started, found, p99Us: p99(latencies) * 1000 };
      },
    }),
    // 9 point reads of existing rows to 1 insert, interleaved.
    mix: defineEndpoint({
      input: z.object({ n: z.number().int(), maxId: z.number().int(), writer: z.string() }),
      output: z.object({ ms: z.number(), found: z.number(), reads: z.number() }),
      handler: async ({ n, maxId, writer }, ctx) => {
        const entries = await storeOf(ctx);
        const started = performance.now();
        let found = 0;
        let reads = 0;
        for (let i = 0; i < n; i++) {
          if (i % 10 === 9) await entries.insert(writer, i);
          else {
            reads++;
            if (await entries.get(1 + ((i * 7919) % maxId))) found++;
          }
        }
        return { ms: performance.now() - started, found, reads };
      },
    }),
    // Replica systems: wait until this process's replica has every insert (not counted).
    settle: defineEndpoint({
      input: z.object({}),
      output: z.object({ ms: z.number() }),
      handler: async (_input, ctx) => {
        const started = performance.now();
        await ctx.db.syncReplica();
        await ctx.db.syncReplica();
        return { ms: performance.now() - started };
      },
    }),
    pragmas: defineEndpoint({
      input: z.object({}),
      output: z.record(z.string(), z.unknown()),
      handler: async (_input, ctx) => (await storeOf(ctx)).pragmas(),
    }),
  },
});
