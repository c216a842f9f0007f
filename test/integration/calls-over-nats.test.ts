import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { PayloadTooLargeError } from "../../runtime/errors/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { newTraceId, startActor, type AnyActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import { describeCallBehaviour } from "../shared/call-behaviour.ts";
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";
import { startNats, type NatsHarness } from "../helpers/index.ts";

describeCallBehaviour("over NATS", async (actors: AnyActor[]) => {
  const nats = await startNats();
  const transports: NatsTransport[] = [];
  const running: RunningActor[] = [];
  const serve = async (actor: AnyActor) => {
    // Each actor gets its own connection, as it would in its own process.
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: actor.name }));
    transports.push(transport);
    running.push(await startActor(actor, { transport, log: createLogger({ actor: actor.name, level: "silent" }) }));
  };
  for (const actor of actors) await serve(actor);
  const clientTransport = new NatsTransport(await connectNats({ url: nats.url, name: "client" }));
  const client = new Caller(clientTransport, "fuse", "test");
  return {
    call: (target, input = {}, options = {}) =>
      client.call({ traceId: options.traceId ?? newTraceId(), deadline: undefined }, target, input, options) as never,
    startLater: serve,
    stop: async () => {
      for (const a of running) await a.stop();
      for (const t of [...transports, clientTransport]) await t.close();
      await nats.stop();
    },
  };
});

// nats-server takes messages up to max_payload (1 MiB by default); nats.js refuses larger ones
// before sending. Each of these used to leave the caller waiting for its deadline, and a reply
// from an async handler ended the actor's process.
describe("payloads too large for the bus", () => {
  const MIB = 1024 * 1024;
  const big = defineActor({
    name: "big",
    endpoints: {
      dump: defineEndpoint({
        input: z.object({ size: z.number().int() }),
        output: z.object({ text: z.string() }),
        handler: async ({ size }) => ({ text: "x".repeat(size) }),
      }),
      "dump-now": defineEndpoint({
        input: z.object({ size: z.number().int() }),
        output: z.object({ text: z.string() }),
        handler: ({ size }) => ({ text: "x".repeat(size) }),
      }),
      take: defineEndpoint({ input: z.object({ text: z.string() }), output: z.object({ length: z.number() }), handler: ({ text }) => ({ length: text.length }) }),
      shout: defineEndpoint({
        input: z.object({ how: z.enum(["emit", "send"]), size: z.number().int() }),
        output: z.object({}),
        handler: ({ how, size }, ctx) => {
          if (how === "emit") ctx.emit("big.news", { text: "x".repeat(size) });
          else ctx.send("big.take", { text: "x".repeat(size) });
          return {};
        },
      }),
    },
  });
  let nats: NatsHarness;
  let actorTransport: NatsTransport;
  let clientTransport: NatsTransport;
  let running: RunningActor;
  let client: Caller;
  const call = (target: string, input: unknown) => client.call({ traceId: newTraceId(), deadline: undefined }, target, input, { timeout: 5000 });
  const failure = (target: string, input: unknown) => call(target, input).then(() => undefined, (e: unknown) => e as Error);

  beforeAll(async () => {
    nats = await startNats();
    actorTransport = new NatsTransport(await connectNats({ url: nats.url, name: "big" }));
    running = await startActor(big, { transport: actorTransport, log: createLogger({ actor: "big", level: "silent" }) });
    await actorTransport.flush();
    clientTransport = new NatsTransport(await connectNats({ url: nats.url, name: "client" }));
    client = new Caller(clientTransport, "fuse", "test");
  });
  afterAll(async () => {
    await running?.stop();
    for (const t of [actorTransport, clientTransport]) await t?.close();
    await nats?.stop();
  });

  it("answers a reply too large for the bus with PAYLOAD_TOO_LARGE naming its size and the limit, and keeps serving", async () => {
    for (const endpoint of ["big.dump", "big.dump-now"]) {
      const error = await failure(endpoint, { size: 2 * MIB });
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413, actor: "big", details: { limit: MIB } });
    }
    expect((await failure("big.dump", { size: 2 * MIB }))?.message).toMatchInlineSnapshot(`"reply to fuse.big.dump: a body of 2097163 bytes is above the bus limit of 1048576 bytes (max_payload, headers included)"`);
    expect(await call("big.dump", { size: 3 })).toEqual({ text: "xxx" });
    expect(running.inflight()).toBe(0);
  });

  it("refuses a call whose input is too large with PAYLOAD_TOO_LARGE at once, without retrying", async () => {
    const error = await failure("big.take", { text: "y".repeat(2 * MIB) });
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ retryable: false, details: { limit: MIB } });
    expect(error?.message).toMatchInlineSnapshot(`"request to fuse.big.take: a body of 2097163 bytes is above the bus limit of 1048576 bytes (max_payload, headers included)"`);
  });

  it("throws PAYLOAD_TOO_LARGE from ctx.emit and ctx.send of a payload too large, and the handler's caller gets it", async () => {
    for (const how of ["emit", "send"]) {
      const error = await failure("big.shout", { how, size: 2 * MIB });
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error?.message).toMatch(how === "emit" ? /^message to fuse\.events\.big\.news: a body of \d+ bytes is above the bus limit of 1048576 bytes/ : /^message to fuse\.big\.take: /);
    }
    expect(await call("big.shout", { how: "emit", size: 10 })).toEqual({});
  });
});
