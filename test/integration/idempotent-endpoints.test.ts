import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, callEndpoint, connectNats } from "../../runtime/bus/index.ts";
import { FuseError } from "../../runtime/errors/index.ts";
import { Header, endpointSubject } from "../../runtime/protocol/index.ts";
import { createHubDir, hubBus, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

type Charged = { runs: number; pid: number; amount: number };

// An idempotent endpoint on a real hub with two instances: the handler counts its runs in
// ctx.kv, so "ran once" is read from the store, not inferred from replies.
describe("idempotent endpoints", () => {
  let dir: string;
  let hub: RunningHub;
  let transport: NatsTransport;

  beforeAll(async () => {
    dir = createHubDir({ config: "actors:\n  ledger:\n    instances: 2\n", actors: { ledger: "guarded" } });
    hub = await startHub(dir);
    transport = new NatsTransport(await connectNats(hubBus(hub.state)));
  }, 120_000);
  afterAll(async () => {
    await transport?.close();
    await hub?.stop();
    removeHubDir(dir);
  });

  const charge = (input: object, key?: string) => {
    const headers: Record<string, string> = { [Header.deadline]: String(Date.now() + 30_000) };
    if (key) headers[Header.idempotencyKey] = key;
    const target = { subject: endpointSubject(hub.state.prefix, "ledger", "charge"), actor: "ledger", endpoint: "charge" };
    return callEndpoint(transport, target, input, { headers, timeoutMs: 30_000 }) as Promise<Charged>;
  };
  const kv = async (key: string) => (await hub.call<{ value: number }>("ledger.count", { key })).value;
  const setKv = (key: string, on: boolean) => hub.call("ledger.set", { key, on });

  it("runs the handler once for two sequential requests with one key, and both get the first reply", async () => {
    const first = await charge({ account: "seq", amount: 5 }, "key-seq");
    const second = await charge({ account: "seq", amount: 5 }, "key-seq");
    expect(second).toEqual(first);
    expect(first.runs).toBe(1);
    expect(await kv("runs.seq")).toBe(1);
    // Without a key the endpoint runs as any other.
    const plain = await charge({ account: "seq", amount: 5 });
    expect(plain.runs).toBe(2);
  }, 60_000);

  it("runs the handler once for 10 concurrent requests with one key across both instances: the repeats wait for the first", async () => {
    const replies = Array.from({ length: 10 }, () => charge({ account: "conc", amount: 7, gate: "conc" }, "key-conc"));
    const settled = Promise.allSettled(replies);
    // The first run is inside its handler, held at its gate, while the nine repeats are in flight.
    await expect.poll(() => kv("runs.conc"), { timeout: 20_000 }).toBe(1);
    await setKv("gate.conc", true);
    const outcomes = await settled;
    const succeeded = outcomes.filter((o): o is PromiseFulfilledResult<Charged> => o.status === "fulfilled").map((o) => o.value);
    const failed = outcomes.filter((o) => o.status === "rejected");
    expect({ sent: 10, succeeded: succeeded.length, failed: failed.length }).toEqual({ sent: 10, succeeded: 10, failed: 0 });
    expect(new Set(succeeded.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(succeeded[0]!.runs).toBe(1);
    expect(await kv("runs.conc")).toBe(1);
  }, 60_000);

  it("answers CONFLICT for another input under a key already used, without running the handler", async () => {
    await charge({ account: "conflict", amount: 1 }, "key-conflict");
    const error = await charge({ account: "conflict", amount: 2 }, "key-conflict").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FuseError);
    expect((error as FuseError).code).toBe("CONFLICT");
    expect((error as FuseError).message).toMatchInlineSnapshot(`"ledger.charge: idempotency key "key-conflict" was first used with another input"`);
    expect(await kv("runs.conflict")).toBe(1);
  }, 60_000);

  it("replays a business refusal the handler ended with, without running it again", async () => {
    const first = (await charge({ account: "declined", amount: 1, refuse: true }, "key-declined").catch((e: unknown) => e)) as FuseError;
    const second = (await charge({ account: "declined", amount: 1, refuse: true }, "key-declined").catch((e: unknown) => e)) as FuseError;
    expect([first.code, second.code]).toEqual(["CARD_DECLINED", "CARD_DECLINED"]);
    expect(second.status).toBe(402);
    expect(await kv("runs.declined")).toBe(1);
  }, 60_000);
});
