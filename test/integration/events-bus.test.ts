import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "nats";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { eventStreamName } from "../../runtime/protocol/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { startActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import { defineActor } from "../../runtime/sdk/index.ts";
import { freshPrefix, startNats, waitFor, type NatsHarness } from "../helpers/index.ts";

const silent = createLogger({ actor: "test", level: "silent" });

// Events on a bare nats-server with JetStream, no hub: the first emit makes the stream.
describe("durable events on the bus", () => {
  let nats: NatsHarness;
  let raw: NatsConnection;
  const transports: NatsTransport[] = [];
  const running: RunningActor[] = [];
  const transport = async (name: string) => {
    const t = new NatsTransport(await connectNats({ url: nats.url, name }));
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    nats = await startNats();
    raw = await connectNats({ url: nats.url, name: "raw" });
  });
  afterAll(async () => {
    for (const r of running) await r.stop();
    for (const t of transports) await t.close();
    await raw?.close();
    await nats?.stop();
  });

  it("resolves emit once stored: a subscriber made later from 'all' gets what was emitted before it, one from 'new' does not", async () => {
    const prefix = freshPrefix();
    const emitter = new Caller(await transport("shop"), prefix, "shop");
    const scope = { traceId: "trace-1", deadline: undefined };
    for (let i = 0; i < 10; i++) await emitter.emit(scope, "order.placed", { i });
    expect((await (await raw.jetstreamManager()).streams.info(eventStreamName(prefix))).state.messages).toBe(10);

    const history: unknown[] = [];
    const fresh: unknown[] = [];
    const traces = new Set<string>();
    const historian = defineActor({ name: "historian", endpoints: {}, events: { "order.placed": { from: "all", handler: (p, ctx) => void (history.push(p), traces.add(ctx.traceId)) } } });
    const newcomer = defineActor({ name: "newcomer", endpoints: {}, events: { "order.placed": (p) => void fresh.push(p) } });
    running.push(await startActor(historian, { transport: await transport("historian"), prefix, log: silent }));
    running.push(await startActor(newcomer, { transport: await transport("newcomer"), prefix, log: silent }));
    await emitter.emit(scope, "order.placed", { i: 10 });
    await waitFor("the historian got all 11", () => history.length === 11 && fresh.length === 1, 10_000);
    expect(history).toEqual(Array.from({ length: 11 }, (_, i) => ({ i })));
    expect(fresh).toEqual([{ i: 10 }]);
    expect([...traces]).toEqual(["trace-1"]);
  });

  it("stores what a plain NATS client publishes on <prefix>.events.<topic>, and delivers it", async () => {
    const prefix = freshPrefix();
    const got: unknown[] = [];
    const listener = defineActor({ name: "listener", endpoints: {}, events: { "sensor.*": (p) => void got.push(p) } });
    running.push(await startActor(listener, { transport: await transport("listener"), prefix, log: silent }));
    raw.publish(`${prefix}.events.sensor.temperature`, JSON.stringify({ celsius: 21 }));
    raw.publish(`${prefix}.events.sensor.humidity`, JSON.stringify({ percent: 40 }));
    await waitFor("both readings", () => got.length === 2, 10_000);
    expect(got).toEqual([{ celsius: 21 }, { percent: 40 }]);
    expect((await (await raw.jetstreamManager()).streams.info(eventStreamName(prefix))).state.messages).toBe(2);
  });
});
