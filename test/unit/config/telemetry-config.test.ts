import { describe, expect, it } from "vitest";
import { parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const message = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return result.error.message;
};

describe("telemetry.recent", () => {
  it("is off by default and when false; true keeps 2000 spans per process; a bound may be given", () => {
    expect(parseConfig("", FILE).telemetry.recent).toBeUndefined();
    expect(parseConfig("telemetry:\n  recent: false\n", FILE).telemetry.recent).toBeUndefined();
    expect(parseConfig("telemetry:\n  recent: true\n", FILE).telemetry.recent).toEqual({ spans: 2000 });
    expect(parseConfig("telemetry:\n  recent: {}\n", FILE).telemetry.recent).toEqual({ spans: 2000 });
    expect(parseConfig("telemetry:\n  recent:\n    spans: 300\n", FILE).telemetry).toEqual({ recent: { spans: 300 }, sampleRatio: 1 });
  });

  it("names file, line and key of a bad value", () => {
    expect(message("telemetry:\n  recent: 500\n")).toMatchInlineSnapshot(`"config/fuse.yaml:2 telemetry.recent: expected true, false or { spans: <10 to 100000> }, the latest spans each process keeps (default 2000), got 500"`);
    expect(message("telemetry:\n  recent:\n    spans: 5\n")).toMatchInlineSnapshot(`"config/fuse.yaml:3 telemetry.recent.spans: Too small: expected number to be >=10, got 5"`);
    expect(message("telemetry:\n  recent:\n    span: 50\n")).toMatchInlineSnapshot(`"config/fuse.yaml:3 telemetry.recent.span: unknown key, did you mean "spans"?"`);
  });
});
