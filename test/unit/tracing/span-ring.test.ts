import { describe, expect, it } from "vitest";
import { SpanRing } from "../../../runtime/tracing/recent/span-ring.ts";

describe("span ring", () => {
  it("holds what was added, oldest first, until its bound", () => {
    const ring = new SpanRing<number>(3);
    expect(ring.values()).toEqual([]);
    ring.add(1);
    ring.add(2);
    expect(ring.values()).toEqual([1, 2]);
    expect(ring.size).toBe(2);
  });

  it("never holds more than its bound: each add past it evicts the oldest", () => {
    const ring = new SpanRing<number>(3);
    for (let i = 1; i <= 10; i++) {
      ring.add(i);
      expect(ring.size).toBe(Math.min(i, 3));
    }
    expect(ring.values()).toEqual([8, 9, 10]);
    ring.add(11);
    expect(ring.values()).toEqual([9, 10, 11]);
  });

  it("refuses a bound below one", () => {
    expect(() => new SpanRing(0)).toThrow("a ring holds at least one item, got 0");
  });
});
