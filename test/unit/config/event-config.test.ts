import { describe, expect, it } from "vitest";
import { eventLimitsOf, parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const message = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return result.error.message;
};

describe("events config", () => {
  it("defaults to a week and a GiB kept, 5 attempts with a 1 s, 5 s, 30 s backoff and a 30 s ack wait", () => {
    expect(eventLimitsOf(parseConfig("", FILE).events)).toEqual({ maxAgeMs: 604_800_000, maxBytes: 1024 ** 3, maxDeliver: 5, backoffMs: [1000, 5000, 30_000], ackWaitMs: 30_000 });
    expect(eventLimitsOf(parseConfig("events:\n  maxAge: 12h\n  maxBytes: 500M\n  maxDeliver: 2\n  backoffMs: [0]\n", FILE).events)).toMatchObject({ maxAgeMs: 43_200_000, maxBytes: 500 * 1024 ** 2, maxDeliver: 2, backoffMs: [0] });
  });

  it("names the file, line and key of a bad value", () => {
    expect(message("events:\n  maxAge: 7 days\n")).toContain("config/fuse.yaml:2 events.maxAge: expected a duration like 7d, 12h or 30m");
    expect(message("events:\n  maxBytes: 1GB\n")).toContain("config/fuse.yaml:2 events.maxBytes: expected a size like 1G or 500M");
    expect(message("events:\n  maxDeliver: 0\n")).toMatch(/^config\/fuse\.yaml:2 events\.maxDeliver: /);
    expect(message("events:\n  backoffMs: []\n")).toMatch(/^config\/fuse\.yaml:2 events\.backoffMs: /);
    expect(message("events:\n  ackWait: 5\n")).toContain("events.ackWait: unknown key");
  });
});
