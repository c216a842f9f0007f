import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, neverLog, redactSecrets } from "../../../runtime/log/index.ts";

describe("log redaction", () => {
  it("hides credentials by key at the top of a line and one or two levels down", () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const log = createLogger({ actor: "t", destination });
    log.info({ authorization: "Bearer a1", headers: { cookie: "sid=c2", "set-cookie": "sid=c3", accept: "json" }, req: { headers: { authorization: "Bearer a4", "x-api-key": "k5" } }, password: "p6" }, "m");
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      authorization: "[REDACTED]",
      headers: { cookie: "[REDACTED]", "set-cookie": "[REDACTED]", accept: "json" },
      req: { headers: { authorization: "[REDACTED]", "x-api-key": "[REDACTED]" } },
      password: "[REDACTED]",
    });
    for (const credential of ["a1", "c2", "c3", "a4", "k5", "p6"]) expect(lines[0]).not.toContain(credential);
  });

  it("hides registered secret values wherever they appear, the longest first", () => {
    neverLog(["hunter2-long", "hunter2-long-and-longer", 'q"uote']);
    expect(redactSecrets("a hunter2-long-and-longer b hunter2-long")).toBe("a [REDACTED] b [REDACTED]");
    expect(redactSecrets(JSON.stringify({ msg: 'said q"uote' }))).toBe('{"msg":"said [REDACTED]"}');
  });
});
