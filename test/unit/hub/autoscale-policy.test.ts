import { describe, expect, it } from "vitest";
import { decideScale } from "../../../runtime/hub/scaling/autoscale-policy.ts";

const config = { min: 1, max: 4, targetInflight: 2, intervalMs: 100, upCooldownMs: 1000, downCooldownMs: 5000 };
const at = (over: Partial<Parameters<typeof decideScale>[0]>) => decideScale({ current: 1, inflight: 0, recentPeak: 0, now: 10_000, lastChangeAt: 0, ...over }, config);

describe("autoscale policy", () => {
  it("scales up to cover the in-flight requests at the target per instance, within max", () => {
    expect(at({ inflight: 5, recentPeak: 5 })).toBe(3);
    expect(at({ inflight: 50, recentPeak: 50 })).toBe(4);
  });
  it("waits for the up cooldown after a change", () => {
    expect(at({ inflight: 5, recentPeak: 5, lastChangeAt: 9_500 })).toBe(1);
  });
  it("scales down only when the peak of the down window allows, after the down cooldown", () => {
    expect(at({ current: 3, inflight: 0, recentPeak: 5, lastChangeAt: 0 })).toBe(3);
    expect(at({ current: 3, inflight: 0, recentPeak: 1, lastChangeAt: 0 })).toBe(1);
    expect(at({ current: 3, inflight: 0, recentPeak: 1, lastChangeAt: 6_000 })).toBe(3);
  });
  it("never goes below min", () => {
    expect(at({ current: 2, inflight: 0, recentPeak: 0 })).toBe(1);
  });
});
