import { describe, expect, it } from "vitest";
import { TokenBuckets } from "../../../runtime/gateway/auth/token-buckets.ts";
import { VerifiedCache } from "../../../runtime/gateway/auth/verified-cache.ts";
import { LOCAL_ADMIN } from "../../../runtime/protocol/index.ts";

describe("token buckets", () => {
  it("lets a burst of capacity through, then says how long until the next token, refilling evenly", () => {
    const buckets = new TokenBuckets({ capacity: 3, perMs: 3000 });
    expect([buckets.take("a", 0), buckets.take("a", 0), buckets.take("a", 0)]).toEqual([0, 0, 0]);
    expect(buckets.take("a", 0)).toBe(1000);
    expect(buckets.waitMs("a", 400)).toBe(600);
    expect(buckets.take("b", 0)).toBe(0);
    expect(buckets.take("a", 1000)).toBe(0);
    expect(buckets.take("a", 1000)).toBe(1000);
    expect(buckets.waitMs("a", 10_000)).toBe(0);
    expect(buckets.waitMs("unknown", 0)).toBe(0);
  });

  it("stays bounded: idle buckets are swept, and busy ones beyond the bound go oldest first", () => {
    const buckets = new TokenBuckets({ capacity: 2, perMs: 1000 }, 100);
    for (let i = 0; i < 100; i++) buckets.take(`k${i}`, 0);
    expect(buckets.size).toBe(100);
    // All refilled by now: the sweep on the next new key drops them.
    buckets.take("late", 5000);
    expect(buckets.size).toBe(1);
    for (let i = 0; i < 250; i++) buckets.take(`busy${i}`, 6000);
    expect(buckets.size).toBeLessThanOrEqual(100);
    expect(buckets.waitMs("busy249", 6000)).toBe(0);
  });
});

describe("verified cache", () => {
  it("keeps an entry no longer than its TTL or its own expiry, and at most max entries", () => {
    const cache = new VerifiedCache(2, 1000);
    cache.set("a", LOCAL_ADMIN, undefined, 0);
    cache.set("b", LOCAL_ADMIN, 500, 0);
    expect(cache.get("a", 999)).toBe(LOCAL_ADMIN);
    expect(cache.get("b", 499)).toBe(LOCAL_ADMIN);
    expect(cache.get("b", 500)).toBeUndefined();
    expect(cache.get("a", 1000)).toBeUndefined();
    cache.set("c", LOCAL_ADMIN, undefined, 0);
    cache.set("d", LOCAL_ADMIN, undefined, 0);
    cache.set("e", LOCAL_ADMIN, undefined, 0);
    expect(cache.size).toBe(2);
    expect(cache.get("c", 1)).toBeUndefined();
    cache.set("x", LOCAL_ADMIN, 0, 10);
    expect(cache.get("x", 10)).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
