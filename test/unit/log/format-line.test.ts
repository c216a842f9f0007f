import { describe, expect, it } from "vitest";
import { createLineFormatter } from "../../../runtime/log/index.ts";

const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 0), actor: "greeter", instance: 0, traceId: "abc", msg: "greeting sent" });

describe("readable log lines", () => {
  it("prefixes the actor's name and prints level, message and fields", () => {
    const out = createLineFormatter({ colour: false })(line, "greeter");
    expect(out).toMatch(/^greeter {2}│ \[\d\d:\d\d:\d\d\.000\] INFO: greeting sent \{"traceId":"abc"\}$/);
  });

  it("colours the prefix and level in a terminal", () => {
    const out = createLineFormatter({ colour: true })(line, "greeter");
    // eslint-disable-next-line no-control-regex -- the escape codes are what this checks
    expect(out).toMatch(/^\x1b\[\d+mgreeter \x1b\[0m │ /);
    expect(out).toContain("\x1b[32mINFO");
  });

  it("prints a line that is not JSON as it is", () => {
    expect(createLineFormatter({ colour: false })("plain text", "x")).toBe("x        │ plain text");
  });
});
