import { describe, expect, it } from "vitest";
import { parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const message = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return result.error.message;
};

describe("logging.ship", () => {
  it("fills each collector's defaults", () => {
    const config = parseConfig("logging:\n  ship:\n    - type: loki\n      url: http://loki:3100\n    - type: fluentd\n      host: fluentd\n", FILE);
    expect(config.logging.ship).toEqual([
      { type: "loki", url: "http://loki:3100", labels: {}, maxBufferedLines: 10_000 },
      { type: "fluentd", host: "fluentd", port: 24224, tag: "fuse", maxBufferedLines: 10_000 },
    ]);
    expect(parseConfig("", FILE).logging.ship).toEqual([]);
  });

  it("names file, line and key of a bad entry", () => {
    expect(message("logging:\n  ship:\n    - type: loki\n      url: loki:3100\n")).toMatchInlineSnapshot(`"config/fuse.yaml:4 logging.ship[0].url: expected an http(s) URL like "http://loki:3100", got "loki:3100""`);
    expect(message("logging:\n  ship:\n    - type: fluentd\n      host: fluentd\n      maxBufferedLines: 0\n")).toMatchInlineSnapshot(`"config/fuse.yaml:5 logging.ship[0].maxBufferedLines: Too small: expected number to be >=1, got 0"`);
    expect(message("logging:\n  ship:\n    - type: kafka\n      host: k\n")).toMatchInlineSnapshot(`"config/fuse.yaml:3 logging.ship[0].type: Invalid discriminator value. Expected 'loki' | 'fluentd', got "kafka""`);
    expect(message("logging:\n  ship:\n    - type: loki\n      url: http://loki:3100\n      lables: {}\n")).toMatchInlineSnapshot(`"config/fuse.yaml:5 logging.ship[0].lables: unknown key"`);
  });
});
