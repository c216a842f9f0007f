import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyActor } from "../../runtime/sdk/index.ts";
import { waitFor } from "../helpers/index.ts";
import { keeper } from "./store-actors.ts";

export interface StoreHarness {
  /** Calls through one instance… */
  call<T = unknown>(target: string, input?: unknown): Promise<T>;
  /** …and through another instance (another process or connection), to see sharing. */
  callOther<T = unknown>(target: string, input?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** ctx.kv and ctx.files: the same behaviour in-process and on JetStream. */
export function describeStores(name: string, start: (actors: AnyActor[]) => Promise<StoreHarness>): void {
  describe(`stores (${name})`, () => {
    let hub: StoreHarness;
    beforeAll(async () => {
      hub = await start([keeper]);
    });
    afterAll(() => hub?.stop());

    it("puts, gets and deletes JSON values shared by every instance", async () => {
      const { revision } = await hub.call<{ revision: number }>("keeper.put", { key: "user.ada", value: { visits: 3 } });
      expect(revision).toBeGreaterThan(0);
      await expect(hub.callOther("keeper.get", { key: "user.ada" })).resolves.toEqual({ value: { visits: 3 }, found: true });
      await hub.callOther("keeper.del", { key: "user.ada" });
      await expect(hub.call("keeper.get", { key: "user.ada" })).resolves.toEqual({ found: false });
    });

    it("lists keys by filter", async () => {
      for (const key of ["cache.a", "cache.b.c", "other"]) await hub.call("keeper.put", { key, value: 1 });
      await expect(hub.call("keeper.keys", { filter: "cache.*" })).resolves.toEqual({ keys: ["cache.a"] });
      await expect(hub.call("keeper.keys", { filter: "cache.>" })).resolves.toEqual({ keys: ["cache.a", "cache.b.c"] });
    });

    it("rejects a key the store cannot hold, naming it", async () => {
      await expect(hub.call("keeper.put", { key: "user:1", value: 1 })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        message: 'kv key "user:1": expected letters, digits and - / _ = . (not at the ends)',
      });
    });

    it("creates a key only when it holds nothing, and says CONFLICT with its revision otherwise", async () => {
      const { revision } = await hub.call<{ revision: number }>("keeper.create", { key: "order.1", value: { status: "new" } });
      await expect(hub.callOther("keeper.entry", { key: "order.1" })).resolves.toEqual({ value: { status: "new" }, revision });
      await expect(hub.callOther("keeper.create", { key: "order.1", value: { status: "other" } })).rejects.toMatchObject({
        code: "CONFLICT",
        status: 409,
        message: expect.stringMatching(/^kv key "order\.1" in bucket "[\w-]+-kv-keeper": already holds a value$/),
        details: { bucket: expect.stringMatching(/-kv-keeper$/), key: "order.1", expectedRevision: null, actualRevision: revision },
      });
      await hub.call("keeper.del", { key: "order.1" });
      // Deleted counts as absent: the key can be created again.
      await expect(hub.call("keeper.create", { key: "order.1", value: { status: "again" } })).resolves.toMatchObject({ revision: expect.any(Number) });
      await expect(hub.call("keeper.get", { key: "order.1" })).resolves.toEqual({ value: { status: "again" }, found: true });
    });

    it("updates only at the latest revision: a stale one is CONFLICT naming key, expected and actual revision", async () => {
      const first = await hub.call<{ revision: number }>("keeper.put", { key: "cart.7", value: { items: 1 } });
      const second = await hub.call<{ revision: number }>("keeper.update", { key: "cart.7", value: { items: 2 }, revision: first.revision });
      expect(second.revision).toBeGreaterThan(first.revision);
      await expect(hub.callOther("keeper.update", { key: "cart.7", value: { items: 99 }, revision: first.revision })).rejects.toMatchObject({
        code: "CONFLICT",
        status: 409,
        message: expect.stringMatching(new RegExp(`^kv key "cart\\.7" in bucket "[\\w-]+": expected revision ${first.revision}, but the latest is ${second.revision}$`)),
        details: { bucket: expect.stringMatching(/-kv-keeper$/), key: "cart.7", expectedRevision: first.revision, actualRevision: second.revision },
      });
      await expect(hub.call("keeper.get", { key: "cart.7" })).resolves.toEqual({ value: { items: 2 }, found: true });
      await expect(hub.call("keeper.delete-if", { key: "cart.7", revision: first.revision })).rejects.toMatchObject({ code: "CONFLICT" });
      await hub.call("keeper.delete-if", { key: "cart.7", revision: second.revision });
      await expect(hub.call("keeper.update", { key: "cart.7", value: 1, revision: second.revision })).rejects.toMatchObject({ code: "CONFLICT", details: { key: "cart.7", expectedRevision: second.revision } });
      await expect(hub.call("keeper.update", { key: "cart.7", value: 1, revision: 0 })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
        message: 'kv key "cart.7": revision must be a positive integer (from getEntry), got 0',
      });
    });

    it("changes a key read-modify-write without losing any of 40 concurrent updates from two instances", async () => {
      const calls = Array.from({ length: 40 }, (_, i) => (i % 2 ? hub.call : hub.callOther)<{ value: number; rounds: number }>("keeper.bump", { key: "counter" }));
      const results = await Promise.all(calls);
      await expect(hub.call("keeper.get", { key: "counter" })).resolves.toEqual({ value: 40, found: true });
      // Every call saw a distinct value: each write landed on the one before it.
      expect(new Set(results.map((r) => r.value)).size).toBe(40);
      // The race was real: some calls had to read again.
      expect(results.some((r) => r.rounds > 1)).toBe(true);
    });

    it("writes nothing when the change function returns undefined", async () => {
      await hub.call("keeper.put", { key: "capped", value: 3 });
      const before = await hub.call<{ revision: number }>("keeper.entry", { key: "capped" });
      await expect(hub.call("keeper.bump", { key: "capped", skipAt: 3 })).resolves.toEqual({ value: 3, rounds: 1 });
      await expect(hub.call("keeper.entry", { key: "capped" })).resolves.toEqual(before);
      await expect(hub.call("keeper.bump", { key: "absent.key", skipAt: 0 })).resolves.toEqual({ value: null, rounds: 1 });
    });

    it("gives up a change with a retryable CONFLICT after losing every one of its attempts", async () => {
      await expect(hub.call("keeper.contend", { key: "hot" })).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(/^kv key "hot" in bucket "[\w-]+": other writers changed it first 3 times in a row; gave up$/),
        details: { key: "hot", attempts: 3, rounds: 3 },
      });
    });

    it("tells watchers of every change of matching keys", async () => {
      const { seen } = await hub.call<{ seen: { key: string; value: unknown }[] }>("keeper.watch", { filter: "watched.*", key: "watched.x", value: "v1" });
      expect(seen).toEqual([{ key: "watched.x", value: "v1" }, { key: "watched.x", value: undefined }]);
    });

    it("expires entries of a bucket with a TTL", async () => {
      await hub.call("keeper.put", { key: "session", value: "s1", bucket: "sessions", ttlMs: 1000 });
      await expect(hub.call("keeper.get", { key: "session", bucket: "sessions", ttlMs: 1000 })).resolves.toMatchObject({ found: true });
      await waitFor("the entry to expire", async () => !(await hub.call<{ found: boolean }>("keeper.get", { key: "session", bucket: "sessions", ttlMs: 1000 })).found, 20_000, 250);
    });

    it("streams a file in and out with the same bytes, metadata, listing and delete", async () => {
      const size = 5 * 1024 * 1024 + 123;
      const written = await hub.call<{ size: number; sha256: string }>("keeper.write", { name: "big.bin", size });
      expect(written.size).toBe(size);
      const read = await hub.callOther<{ size: number; sha256: string; contentType: string }>("keeper.read", { name: "big.bin" });
      expect(read).toEqual({ found: true, size, sha256: written.sha256, contentType: "application/octet-stream" });
      await expect(hub.call("keeper.list")).resolves.toEqual({ names: ["big.bin"] });
      await expect(hub.call("keeper.remove", { name: "big.bin" })).resolves.toEqual({ removed: true });
      await expect(hub.call("keeper.read", { name: "big.bin" })).resolves.toMatchObject({ found: false });
    });
  });
}
