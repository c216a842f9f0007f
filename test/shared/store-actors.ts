import { createHash } from "node:crypto";
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const hash = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Deterministic bytes, made chunk by chunk so the writer never holds the whole file. */
async function* generate(size: number): AsyncGenerator<Uint8Array> {
  const chunk = 256 * 1024;
  for (let offset = 0; offset < size; offset += chunk) {
    const n = Math.min(chunk, size - offset);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (offset + i) % 251;
    yield b;
  }
}

export const keeper = defineActor({
  name: "keeper",
  // The bucket with a TTL the behaviour suite writes to; the hub makes it with this TTL.
  buckets: { kv: [{ name: "sessions", ttlMs: 1000 }] },
  endpoints: {
    put: defineEndpoint({
      input: z.object({ key: z.string(), value: z.unknown(), bucket: z.string().optional(), ttlMs: z.number().optional() }),
      output: z.object({ revision: z.number() }),
      handler: async ({ key, value, bucket, ttlMs }, ctx) => ({ revision: await (bucket ? ctx.kv.in(bucket, { ttlMs }) : ctx.kv).put(key, value) }),
    }),
    get: defineEndpoint({
      input: z.object({ key: z.string(), bucket: z.string().optional(), ttlMs: z.number().optional() }),
      output: z.object({ value: z.unknown().optional(), found: z.boolean() }),
      handler: async ({ key, bucket, ttlMs }, ctx) => {
        const value = await (bucket ? ctx.kv.in(bucket, { ttlMs }) : ctx.kv).get(key);
        return { value, found: value !== undefined };
      },
    }),
    entry: defineEndpoint({
      input: z.object({ key: z.string() }),
      output: z.object({ value: z.unknown(), revision: z.number() }).nullable(),
      handler: async ({ key }, ctx) => (await ctx.kv.getEntry(key)) ?? null,
    }),
    create: defineEndpoint({
      input: z.object({ key: z.string(), value: z.unknown() }),
      output: z.object({ revision: z.number() }),
      handler: async ({ key, value }, ctx) => ({ revision: await ctx.kv.create(key, value) }),
    }),
    update: defineEndpoint({
      input: z.object({ key: z.string(), value: z.unknown(), revision: z.number() }),
      output: z.object({ revision: z.number() }),
      handler: async ({ key, value, revision }, ctx) => ({ revision: await ctx.kv.update(key, value, { revision }) }),
    }),
    "delete-if": defineEndpoint({
      input: z.object({ key: z.string(), revision: z.number() }),
      output: z.object({}),
      handler: async ({ key, revision }, ctx) => {
        await ctx.kv.delete(key, { revision });
        return {};
      },
    }),
    // Adds 1 with a read-modify-write that must not lose an update; counts its own rounds.
    bump: defineEndpoint({
      input: z.object({ key: z.string(), skipAt: z.number().optional() }),
      output: z.object({ value: z.number().nullable(), rounds: z.number() }),
      handler: async ({ key, skipAt }, ctx) => {
        let rounds = 0;
        const entry = await ctx.kv.change<number>(key, (n = 0) => {
          rounds++;
          return n === skipAt ? undefined : n + 1;
        }, { attempts: 100 });
        return { value: entry?.value ?? null, rounds };
      },
    }),
    // A change whose function writes the key itself, so it loses every round.
    contend: defineEndpoint({
      input: z.object({ key: z.string() }),
      output: z.object({ rounds: z.number() }),
      handler: async ({ key }, ctx) => {
        let rounds = 0;
        await ctx.kv.change<number>(key, async (n = 0) => {
          rounds++;
          await ctx.kv.put(key, n + 100);
          return n + 1;
        }, { attempts: 3 }).catch((error: unknown) => {
          throw Object.assign(error as Error, { details: { ...(error as { details: object }).details, rounds } });
        });
        return { rounds };
      },
    }),
    del: defineEndpoint({
      input: z.object({ key: z.string() }),
      output: z.object({}),
      handler: async ({ key }, ctx) => {
        await ctx.kv.delete(key);
        return {};
      },
    }),
    keys: defineEndpoint({
      input: z.object({ filter: z.string().optional() }),
      output: z.object({ keys: z.array(z.string()) }),
      handler: async ({ filter }, ctx) => ({ keys: (await ctx.kv.keys(filter)).sort() }),
    }),
    watch: defineEndpoint({
      input: z.object({ filter: z.string(), key: z.string(), value: z.unknown() }),
      output: z.object({ seen: z.array(z.object({ key: z.string(), value: z.unknown() })) }),
      handler: async ({ filter, key, value }, ctx) => {
        const seen: { key: string; value: unknown }[] = [];
        const w = await ctx.kv.watch(filter, (k, v) => seen.push({ key: k, value: v }));
        await ctx.kv.put(key, value);
        await ctx.kv.put("elsewhere.key", 1);
        await ctx.kv.delete(key);
        for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
        w.stop();
        return { seen };
      },
    }),
    write: defineEndpoint({
      input: z.object({ name: z.string(), size: z.number().int() }),
      output: z.object({ size: z.number(), sha256: z.string() }),
      handler: async ({ name, size }, ctx) => {
        const info = await ctx.files.put(name, generate(size), { contentType: "application/octet-stream" });
        const all = new Uint8Array(size);
        let o = 0;
        for await (const c of generate(size)) {
          all.set(c, o);
          o += c.length;
        }
        return { size: info.size, sha256: hash(all) };
      },
    }),
    read: defineEndpoint({
      input: z.object({ name: z.string() }),
      output: z.object({ found: z.boolean(), size: z.number(), sha256: z.string(), contentType: z.string().optional() }),
      handler: async ({ name }, ctx) => {
        const file = await ctx.files.get(name);
        if (!file) return { found: false, size: 0, sha256: "" };
        const h = createHash("sha256");
        let size = 0;
        for await (const chunk of file.stream) {
          h.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        return { found: true, size, sha256: h.digest("hex"), contentType: file.info.contentType };
      },
    }),
    list: defineEndpoint({
      input: z.object({}),
      output: z.object({ names: z.array(z.string()) }),
      handler: async (_i, ctx) => ({ names: (await ctx.files.list()).map((f) => f.name).sort() }),
    }),
    remove: defineEndpoint({
      input: z.object({ name: z.string() }),
      output: z.object({ removed: z.boolean() }),
      handler: async ({ name }, ctx) => ({ removed: await ctx.files.delete(name) }),
    }),
  },
});
