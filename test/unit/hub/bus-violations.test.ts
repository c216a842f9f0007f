import { describe, expect, it } from "vitest";
import { parseBusViolation } from "../../../runtime/hub/servers/bus-violations.ts";

// Lines as nats-server 2.9 writes them (copied from a run of test/integration/bus-identities.test.ts).
const PUBLISH = `[6991] 2026/12/01 00:11:33.804710 [ERR] 127.0.0.1:58058 - cid:24 - "v2.29.3:nats.js:alpha-as-attacker" - Publish Violation - Nkey "UCQ4B6BZ3E4QBB2QQQUECBN5HYTWC3OJ66DIMOWHXHE3V7G3WZIKUFHY", Subject "fuse.hub.shutdown"`;
const SUBSCRIBE = `[6991] 2026/12/01 00:11:34.140902 [ERR] 127.0.0.1:58072 - cid:25 - "v2.29.3:nats.js" - Subscription Violation - Nkey "UCQ4B6BZ3E4QBB2QQQUECBN5HYTWC3OJ66DIMOWHXHE3V7G3WZIKUFHY", Subject "fuse.beta.>", SID 1`;
const AUTH = `[9722] 2026/12/01 00:13:39.045186 [ERR] 127.0.0.1:43568 - cid:4 - "v2.29.3:nats.js:nocreds" - authentication error - Nkey ""`;

describe("parseBusViolation", () => {
  it("reads a refused publish with its client, connection name, NKey and subject", () => {
    expect(parseBusViolation(PUBLISH)).toEqual({
      kind: "publish",
      client: "127.0.0.1:58058",
      connection: "alpha-as-attacker",
      nkey: "UCQ4B6BZ3E4QBB2QQQUECBN5HYTWC3OJ66DIMOWHXHE3V7G3WZIKUFHY",
      subject: "fuse.hub.shutdown",
    });
  });

  it("reads a refused subscription of a client that gave no name, and a refused connection", () => {
    expect(parseBusViolation(SUBSCRIBE)).toMatchObject({ kind: "subscribe", client: "127.0.0.1:58072", subject: "fuse.beta.>" });
    expect(parseBusViolation(SUBSCRIBE)?.connection).toBeUndefined();
    expect(parseBusViolation(AUTH)).toEqual({ kind: "connect", client: "127.0.0.1:43568", connection: "nocreds" });
  });

  it("ignores every other line", () => {
    expect(parseBusViolation("[6991] 2026/12/01 00:11:30.000000 [INF] Server is ready")).toBeUndefined();
    expect(parseBusViolation("")).toBeUndefined();
  });
});
