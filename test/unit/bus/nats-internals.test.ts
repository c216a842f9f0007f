import type { Msg } from "nats";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { headerBlock, objectHeader, reportNatsInternalsTo, subjectBytes } from "../../../runtime/bus/nats-internals.ts";
import { headerReader, subjectSequence } from "../../../runtime/bus/nats-wire.ts";
import { createLogger } from "../../../runtime/log/index.ts";

/** A message as a nats.js that keeps nothing where Fuse looks would hand it over. */
function changedMessage(subject: string, headers: Record<string, string>): Msg {
  return {
    subject,
    data: new Uint8Array(0),
    headers: { get: (name: string) => headers[name] ?? "" },
  } as unknown as Msg;
}

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ actor: "test", destination }) };
}

describe("reading nats.js internals through runtime/bus/nats-internals.ts", () => {
  it("falls back to the public API when a message keeps nothing where Fuse looks, and warns once naming the module", () => {
    const { lines, log } = captureLog();
    reportNatsInternalsTo(log);
    const msg = changedMessage("_INBOX.abc.42", { "Fuse-Trace-Id": "t-9" });

    expect(headerBlock(msg)).toBeUndefined();
    expect(headerReader(msg)("Fuse-Trace-Id")).toBe("t-9");
    expect(headerReader(msg)("Missing")).toBeUndefined();
    expect(subjectBytes(msg)).toBeUndefined();
    expect(subjectSequence(msg)).toBe(42);
    expect(subjectSequence(changedMessage("_INBOX.abc.x", {}))).toBeNaN();

    expect(lines.map((l) => [l.lvl, l.mod, l.msg, l.problem])).toMatchInlineSnapshot(`
      [
        [
          "warn",
          "bus.nats-internals",
          "nats.js internals changed",
          "runtime/bus/nats-internals.ts: nats.js no longer keeps a message's header length in _msg.hdr (a number) and a message's bytes in _rdata (a Uint8Array); using msg.headers instead",
        ],
        [
          "warn",
          "bus.nats-internals",
          "nats.js internals changed",
          "runtime/bus/nats-internals.ts: nats.js no longer keeps a message's subject bytes in _msg.subject (a Uint8Array); using msg.subject instead",
        ],
      ]
    `);
  });

  it("reads an object's header from the plain record the server returns and from a header object", () => {
    const record = { "Content-Type": ["text/csv"] } as never;
    expect(objectHeader(record, "Content-Type")).toBe("text/csv");
    expect(objectHeader({ get: () => "image/png" } as never, "Content-Type")).toBe("image/png");
    expect(objectHeader(undefined, "Content-Type")).toBeUndefined();
    expect(objectHeader({} as never, "Content-Type")).toBeUndefined();
  });
});
