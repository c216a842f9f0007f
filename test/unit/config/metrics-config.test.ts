import { describe, expect, it } from "vitest";
import { parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const message = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return result.error.message;
};

describe("metrics.historyIntervalMs", () => {
  it("samples every 10 s by default, takes 0 for no history and an interval in range", () => {
    expect(parseConfig("", FILE).metrics.historyIntervalMs).toBe(10_000);
    expect(parseConfig("metrics:\n  historyIntervalMs: 0\n", FILE).metrics.historyIntervalMs).toBe(0);
    expect(parseConfig("metrics:\n  historyIntervalMs: 250\n", FILE).metrics.historyIntervalMs).toBe(250);
    expect(parseConfig("metrics:\n  historyIntervalMs: 60000\n", FILE).metrics.historyIntervalMs).toBe(60_000);
  });

  it("names file, line and key of an interval out of range or not a whole number of ms", () => {
    expect(message("metrics:\n  enabled: true\n  historyIntervalMs: 100\n")).toMatchInlineSnapshot(`"config/fuse.yaml:3 metrics.historyIntervalMs: expected 0 (no history) or ms from 250 to 60000, got 100"`);
    expect(message("metrics:\n  historyIntervalMs: 120000\n")).toMatchInlineSnapshot(`"config/fuse.yaml:2 metrics.historyIntervalMs: expected 0 (no history) or ms from 250 to 60000, got 120000"`);
    expect(message("metrics:\n  historyIntervalMs: 1.5\n")).toMatchInlineSnapshot(`"config/fuse.yaml:2 metrics.historyIntervalMs: expected int, got 1.5"`);
    expect(message("metrics:\n  historyInterval: 1000\n")).toMatchInlineSnapshot(`"config/fuse.yaml:2 metrics.historyInterval: unknown key, did you mean "historyIntervalMs"?"`);
  });
});
