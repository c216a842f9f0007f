import { describe, expect, it } from "vitest";
import { ErrorCode, createTestHub, defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import { usesOf } from "../../../runtime/sdk/stores/bucket-access.ts";

// The same rule in process as on a hub: an actor opens its own buckets and the declared ones.
const reach = (name: string, buckets?: { kv?: (string | { name: string; ttlMs?: number })[]; files?: string[] }) =>
  defineActor({
    name,
    ...(buckets ? { buckets } : {}),
    endpoints: {
      kv: defineEndpoint({
        input: z.object({ bucket: z.string().optional(), ttlMs: z.number().optional() }),
        output: z.object({ revision: z.number() }),
        handler: async ({ bucket, ttlMs }, ctx) => ({ revision: await (bucket ? ctx.kv.in(bucket, ttlMs ? { ttlMs } : {}) : ctx.kv).put("k", 1) }),
      }),
      file: defineEndpoint({
        input: z.object({ bucket: z.string().optional() }),
        output: z.object({ size: z.number() }),
        handler: async ({ bucket }, ctx) => ({ size: (await (bucket ? ctx.files.in(bucket) : ctx.files).put("f", "abc")).size }),
      }),
    },
  });

describe("buckets an actor may use, in process", () => {
  it("opens its own buckets and the declared ones", async () => {
    const hub = await createTestHub([reach("shop", { kv: ["stock", { name: "sessions", ttlMs: 60_000 }], files: ["uploads"] })]);
    try {
      expect(await hub.call("shop.kv", {})).toEqual({ revision: 1 });
      expect(await hub.call("shop.kv", { bucket: "stock" })).toEqual({ revision: 1 });
      expect(await hub.call("shop.kv", { bucket: "sessions" })).toEqual({ revision: 1 });
      expect(await hub.call("shop.file", { bucket: "uploads" })).toEqual({ size: 3 });
      expect(await hub.call("shop.file", {})).toEqual({ size: 3 });
    } finally {
      await hub.stop();
    }
  });

  it("refuses an undeclared bucket with FORBIDDEN naming it and how to declare it, as a hub does", async () => {
    const hub = await createTestHub([reach("shop")]);
    try {
      await expect(hub.call("shop.kv", { bucket: "stock" })).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
        status: 403,
        message: 'actor "shop" may not use kv bucket "stock": it is not declared; add buckets: { kv: ["stock"] } to defineActor (an actor reaches its own buckets and the ones it declares)',
      });
      await expect(hub.call("shop.kv", { bucket: "fuse-kv-mailer" })).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
      await expect(hub.call("shop.file", { bucket: "fuse-files" })).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
        message: 'actor "shop" may not use file bucket "fuse-files": it is not declared; add buckets: { files: ["fuse-files"] } to defineActor (an actor reaches its own buckets and the ones it declares)',
      });
    } finally {
      await hub.stop();
    }
  });

  it("gives nothing for declaring another actor's own bucket, and says whose it is", async () => {
    const hub = await createTestHub([reach("shop", { kv: ["fuse-kv-mailer", "fuse-keyed-cart"], files: ["fuse-files-mailer"] }), reach("mailer")]);
    try {
      await expect(hub.call("shop.kv", { bucket: "fuse-kv-mailer" })).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
        message: 'actor "shop" may not use kv bucket "fuse-kv-mailer": it is actor "mailer"\'s own, and declaring it gives no access; call "mailer" for its data, or keep shared data in a bucket both actors declare',
      });
      await expect(hub.call("shop.kv", { bucket: "fuse-keyed-cart" })).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN, details: { owner: "cart" } });
      await expect(hub.call("shop.file", { bucket: "fuse-files-mailer" })).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN, details: { owner: "mailer" } });
      // The hub grants what the SDK allows: none of the three.
      const uses = usesOf(reach("shop", { kv: ["fuse-kv-mailer", "stock"], files: ["fuse-files-mailer"] }), "fuse");
      expect(uses.kv).toEqual(["fuse-kv-shop", "stock"]);
      expect(uses.files).toEqual(["fuse-files-shop", "fuse-bodies"]);
    } finally {
      await hub.stop();
    }
  });

  it("refuses a TTL other than the declared one, since the hub makes the bucket with it", async () => {
    const hub = await createTestHub([reach("shop", { kv: ["stock"] })]);
    try {
      await expect(hub.call("shop.kv", { bucket: "stock", ttlMs: 1000 })).rejects.toMatchObject({
        message: expect.stringContaining('kv bucket "stock": ttlMs 1000 is not the declared one (none); declare buckets: { kv: [{ name: "stock", ttlMs: 1000 }] }'),
      });
    } finally {
      await hub.stop();
    }
  });

  it("refuses a bad declaration when the actor is defined", () => {
    expect(() => reach("shop", { kv: ["no.dots"] })).toThrow('actor "shop" buckets.kv[0]: expected a bucket name of letters, digits, - and _, got "no.dots"');
    expect(() => reach("shop", { kv: [{ name: "s", ttlMs: -1 }] })).toThrow('actor "shop" buckets.kv[0] ttlMs: expected a positive integer (ms), got -1');
  });

  it("tells the hub its own, declared, keyed and replies buckets and its event topics", () => {
    const uses = usesOf({ name: "cart", buckets: { kv: [{ name: "sessions", ttlMs: 5000 }] }, keyed: {}, events: { "order.placed": () => {} }, endpoints: { pay: { idempotent: { ttl: 9000 } } } }, "app");
    expect(uses).toEqual({
      kv: ["app-kv-cart", "app-keyed-cart", "app-replies-cart", "sessions"],
      files: ["app-files-cart", "app-bodies"],
      topics: ["order.placed"],
      ttls: { sessions: 5000, "app-replies-cart": 9000 },
      prefix: "app",
    });
  });
});
