import { describe, expect, it } from "vitest";
import { decideRestart } from "../../../runtime/hub/supervision/restart-policy.ts";

const policy = { initialDelayMs: 100, maxDelayMs: 1000, maxRestarts: 3, windowMs: 10_000 };

describe("restart policy", () => {
  it("doubles the delay with every recent crash, up to the maximum", () => {
    const delays = [1, 2, 3].map((n) => decideRestart(Array.from({ length: n }, (_, i) => i), 100, policy));
    expect(delays).toEqual([
      { action: "restart", delayMs: 100 },
      { action: "restart", delayMs: 200 },
      { action: "restart", delayMs: 400 },
    ]);
    expect(decideRestart([1, 2, 3], 100, { ...policy, maxDelayMs: 250 })).toEqual({ action: "restart", delayMs: 250 });
  });

  it("gives up after more than maxRestarts crashes within the window", () => {
    expect(decideRestart([0, 1, 2, 3], 10, policy)).toEqual({ action: "give-up", crashes: 4 });
  });

  it("forgets crashes older than the window", () => {
    expect(decideRestart([0, 1, 2, 20_000], 20_001, policy)).toEqual({ action: "restart", delayMs: 100 });
  });
});
