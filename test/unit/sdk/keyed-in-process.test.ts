import { describe, expect, it } from "vitest";
import { createTestHub } from "../../../runtime/sdk/index.ts";
import counter from "../../fixtures/actors/keyed-counter.ts";

type Increment = { count: number; version: number; instance: number; overlap: number };

describe("keyed actors on the in-process bus", () => {
  it("runs 64 concurrent increments of one key one turn at a time: the count is 64", async () => {
    const hub = await createTestHub([counter], { instances: 2 });
    try {
      const replies = await Promise.all(Array.from({ length: 64 }, () => hub.call<Increment>("counter.increment", { pauseMs: 1 }, { key: "ada" })));
      expect(replies.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
      expect(Math.max(...replies.map((r) => r.overlap))).toBe(1);
      expect(await hub.call("counter.get", {}, { key: "ada" })).toMatchObject({ count: 64, version: 64 });
      expect(await hub.call("counter.get", {}, { key: "bob" })).toMatchObject({ count: 0, version: 0 });
    } finally {
      await hub.stop();
    }
  });

  it("refuses a call without a key with BAD_REQUEST", async () => {
    const hub = await createTestHub([counter]);
    try {
      const result = await hub.tryCall("counter.get", {});
      expect(result.ok ? undefined : result.error.code).toBe("BAD_REQUEST");
    } finally {
      await hub.stop();
    }
  });
});
