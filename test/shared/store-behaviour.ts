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
