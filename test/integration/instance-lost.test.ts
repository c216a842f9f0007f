import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, callEndpoint, connectNats } from "../../runtime/bus/index.ts";
import { Header, endpointSubject } from "../../runtime/protocol/index.ts";
import { createHubDir, hubBus, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Deadlines far enough that a request still waiting for one ends DEADLINE_EXCEEDED, not OUTCOME_UNKNOWN.
const DEADLINE_MS = 40_000;

// Receipts on; a first backoff of 1 s keeps the killed instance down while the callers are asked.
const CONFIG = `
bus:
  receipts: true
restart:
  initialDelayMs: 1000
actors:
  holder:
    instances: 1
  other:
    instances: 1
  frozen:
    instances: 1
`;

describe("requests held by an instance that dies (receipts)", () => {
  let dir: string;
  let hub: RunningHub;
  const marks = mkdtempSync(path.join(os.tmpdir(), "fuse-held-"));

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { holder: "worker", other: "worker", frozen: "worker" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
    rmSync(marks, { recursive: true, force: true });
  });

  it("fail at once with OUTCOME_UNKNOWN over the bus and HTTP when the instance is killed, long before their deadline; other requests are untouched", async () => {
    const pid = (await hub.actor("holder")).pids[0]!;
    const started = (name: string) => path.join(marks, name);
    // Held over the bus (the caller is this test's own transport) and over HTTP (the gateway's).
    const transport = new NatsTransport(await connectNats(hubBus(hub.state)), { receipts: true });
    const target = { subject: endpointSubject(hub.state.prefix, "holder", "hold"), actor: "holder", endpoint: "hold" };
    const headers = { [Header.deadline]: String(Date.now() + DEADLINE_MS) };
    const overBus = callEndpoint(transport, target, { started: started("bus") }, { headers, timeoutMs: DEADLINE_MS }).then(
      () => ({ code: "OK", message: "" }),
      (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
    );
    const overHttp = fetch(`${hub.state.gatewayUrl}/api/holder/hold`, {
      method: "POST",
      headers: { "content-type": "application/json", [Header.deadline]: String(Date.now() + DEADLINE_MS) },
      body: JSON.stringify({ started: started("http") }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as { error?: { code: string } } }));
    await waitFor("both requests in the handler", () => existsSync(started("bus")) && existsSync(started("http")), 15_000);
    const unrelated = hub.call<{ text: string }>("other.echo", { text: "still here" });
    process.kill(pid, "SIGKILL");
    const [bus, http] = await Promise.all([overBus, overHttp]);
    await transport.close();
    expect(bus.code).toBe("OUTCOME_UNKNOWN");
    expect(bus.message).toMatch(/^the instance that took the request to fuse\.holder\.hold died before it replied; it may or may not have run$/);
    expect(http.status).toBe(500);
    expect(http.body.error?.code).toBe("OUTCOME_UNKNOWN");
    expect(await unrelated).toMatchObject({ text: "still here" });
    expect(readFileSync(started("bus"), "utf8")).toBe(String(pid));
  });

  it("fail with OUTCOME_UNKNOWN, long before their deadline, when the instance they were sent to was frozen and is replaced without ever taking them", async () => {
    const pid = (await hub.actor("frozen")).pids[0]!;
    const transport = new NatsTransport(await connectNats(hubBus(hub.state)), { receipts: true });
    const target = { subject: endpointSubject(hub.state.prefix, "frozen", "echo"), actor: "frozen", endpoint: "echo" };
    process.kill(pid, "SIGSTOP");
    try {
      const headers = { [Header.deadline]: String(Date.now() + DEADLINE_MS) };
      const outcome = await callEndpoint(transport, target, { text: "into the void" }, { headers, timeoutMs: DEADLINE_MS }).then(
        () => ({ code: "OK", message: "" }),
        (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
      );
      expect(outcome).toEqual({ code: "OUTCOME_UNKNOWN", message: "no instance took the request to fuse.frozen.echo before one of them died; it may have been lost with it" });
    } finally {
      if ((await hub.actor("frozen")).pids[0] === pid) process.kill(pid, "SIGCONT");
      await transport.close();
    }
  });
});
