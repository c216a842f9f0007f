import { describe, expect, it } from "vitest";
import { assessHealth } from "../../../runtime/hub/supervision/health.ts";

const options = { busyLagMs: 1000, hangTimeoutMs: 5000, silenceTimeoutMs: 3000 };

describe("health", () => {
  it("is ok when heartbeats are fresh and the main loop ticks", () => {
    expect(assessHealth(10_000, 20, 10_100, options)).toBe("ok");
  });
  it("is busy while the main loop lags, below the hang timeout", () => {
    expect(assessHealth(10_000, 2500, 10_100, options)).toBe("busy");
  });
  it("is hung when the main loop lags past the hang timeout", () => {
    expect(assessHealth(10_000, 5000, 10_100, options)).toBe("hung");
  });
  it("is busy while heartbeats are late but within the silence timeout", () => {
    expect(assessHealth(10_000, 0, 12_000, options)).toBe("busy");
  });
  it("is hung when the watchdog itself has gone silent past the silence timeout (process stopped), long before the hang timeout", () => {
    expect(assessHealth(10_000, 0, 13_000, options)).toBe("hung");
  });
});
