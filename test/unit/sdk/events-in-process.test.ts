import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { UnavailableError } from "../../../runtime/errors/index.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { Caller } from "../../../runtime/sdk/caller.ts";
import { RequestContext } from "../../../runtime/sdk/context.ts";
import { InProcessTransport, startActor } from "../../../runtime/sdk/internal.ts";
import { createTestHub, defineActor, defineEndpoint, z, type ActorContext, type EventHandler } from "../../../runtime/sdk/index.ts";
import { waitFor } from "../../helpers/index.ts";

const emitter = defineActor({
  name: "shop",
  endpoints: {
    emit: defineEndpoint({
      input: z.object({ topic: z.string(), ids: z.array(z.string()) }),
      output: z.object({ stored: z.number() }),
      handler: async ({ topic, ids }, ctx) => {
        await Promise.all(ids.map((id) => ctx.emit(topic, { id })));
        return { stored: ids.length };
      },
    }),
  },
});

/** A subscriber recording who handled what, by instance. */
function subscriber(name: string, handle?: (payload: { id: string }, ctx: ActorContext) => void) {
  const seen: { id: string; instance: number; key: string | undefined }[] = [];
  const handler: EventHandler = (payload, ctx) => {
    handle?.(payload as { id: string }, ctx);
    seen.push({ id: (payload as { id: string }).id, instance: ctx.instance, key: ctx.idempotencyKey });
  };
  return { seen, actor: defineActor({ name, endpoints: {}, events: { "order.placed": handler } }) };
}

const silent = createLogger({ actor: "test", level: "silent" });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

describe("durable events in-process", () => {
  it("gives each event to every subscribing actor once, its instances splitting them", async () => {
    const mailer = subscriber("mailer");
    const audit = subscriber("audit");
    const hub = await createTestHub([emitter, mailer.actor, audit.actor], { instances: 2 });
    try {
      const sent = ids(100);
      await hub.call("shop.emit", { topic: "order.placed", ids: sent });
      await waitFor("all handled", () => mailer.seen.length >= 100 && audit.seen.length >= 100);
      for (const { seen } of [mailer, audit]) {
        expect({ received: new Set(seen.map((s) => s.id)).size, duplicates: seen.length - new Set(seen.map((s) => s.id)).size }).toEqual({ received: 100, duplicates: 0 });
        expect(new Set(seen.map((s) => s.instance))).toEqual(new Set([0, 1]));
      }
    } finally {
      await hub.stop();
    }
  });

  it("retries a failed handler with the same event id, and gives it up to the dead letters after maxDeliver", async () => {
    const failures = new Map<string, number>();
    const flaky = subscriber("flaky", ({ id }) => {
      const n = (failures.get(id) ?? 0) + 1;
      failures.set(id, n);
      if (id === "always" || n < 3) throw new UnavailableError(`not yet (${id}, attempt ${n})`);
    });
    const hub = await createTestHub([emitter, flaky.actor], { events: { maxDeliver: 4, backoffMs: [5, 10] } });
    try {
      await hub.call("shop.emit", { topic: "order.placed", ids: ["twice", "always"] });
      await waitFor("the dead letter", () => hub.deadLetters().length === 1);
      expect(failures.get("twice")).toBe(3);
      expect(flaky.seen.map((s) => s.id)).toEqual(["twice"]);
      expect(failures.get("always")).toBe(4);
      expect(hub.deadLetters()[0]).toMatchObject({ actor: "flaky", topic: "order.placed", attempts: 4, error: { code: "NO_LIVE_INSTANCE", message: "not yet (always, attempt 4)" }, payload: { id: "always" } });
      // No attempt after the dead letter.
      await new Promise((r) => setTimeout(r, 50));
      expect(failures.get("always")).toBe(4);
    } finally {
      await hub.stop();
    }
  });

  it("keeps events for a subscriber while it is stopped, and starts a new one from now unless told otherwise", async () => {
    const transport = new InProcessTransport();
    const client = new Caller(transport, "fuse", "test");
    const scope = { traceId: "t1", deadline: undefined };
    const late = subscriber("late");
    const all = { seen: [] as string[] };
    const history = defineActor({ name: "history", endpoints: {}, events: { "order.placed": { handler: (p) => void all.seen.push((p as { id: string }).id), from: "all" } } });
    let running = await startActor(late.actor, { transport, log: silent });
    await running.stop();
    await client.emit(scope, "order.placed", { id: "while-down" });
    expect(late.seen).toEqual([]);
    running = await startActor(late.actor, { transport, log: silent });
    await waitFor("the event kept while down", () => late.seen.length === 1);
    const fresh = subscriber("fresh");
    const freshRunning = await startActor(fresh.actor, { transport, log: silent });
    const historyRunning = await startActor(history, { transport, log: silent });
    await client.emit(scope, "order.placed", { id: "after" });
    await waitFor("the later event", () => fresh.seen.length === 1 && all.seen.length === 2);
    expect(fresh.seen.map((s) => s.id)).toEqual(["after"]);
    expect(all.seen).toEqual(["while-down", "after"]);
    await Promise.all([running.stop(), freshRunning.stop(), historyRunning.stop()]);
  });

  it("refuses a bad topic at once, and an unawaited emit that fails is logged, not an unhandled rejection", async () => {
    const transport = new InProcessTransport();
    transport.emit = () => Promise.reject(new UnavailableError("stream down on purpose"));
    const lines: { msg: string; topic: string; code: string }[] = [];
    const destination = new Writable({ write: (chunk, _e, done) => (lines.push(JSON.parse(String(chunk)) as never), done()) });
    const ctx = new RequestContext({ actor: "a", instance: 0, rootLog: createLogger({ actor: "a", level: "warn", destination }), sender: new Caller(transport, "fuse", "a"), stores: {} as never });
    expect(() => ctx.emit("bad topic!", {})).toThrow(/emit topic "bad topic!": expected dotted words/);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      void ctx.emit("order.placed", { id: 1 });
      await expect(ctx.emit("order.placed", { id: 2 })).rejects.toMatchObject({ code: "NO_LIVE_INSTANCE", message: "stream down on purpose" });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(lines.map(({ msg, topic, code }) => ({ msg, topic, code }))).toEqual([
        { msg: "event not stored", topic: "order.placed", code: "NO_LIVE_INSTANCE" },
        { msg: "event not stored", topic: "order.placed", code: "NO_LIVE_INSTANCE" },
      ]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("refuses bad subscriptions when the actor is defined, naming actor and topic", () => {
    const define = (events: never) => () => defineActor({ name: "bad", endpoints: {}, events });
    expect(define({ "order placed": () => {} } as never)).toThrow(`actor "bad" event "order placed": expected dotted words`);
    expect(define({ "a.b": { handler: () => {}, from: "yesterday" } } as never)).toThrow(`actor "bad" event "a.b": from must be "new", "all" or a valid Date, got "yesterday"`);
    expect(define({ "a.b": { handler: () => {}, concurrency: 0 } } as never)).toThrow(`actor "bad" event "a.b": concurrency must be a whole number of at least 1, got 0`);
    expect(define({ "a.*": { from: "all" } } as never)).toThrow(`actor "bad" event "a.*": expected a handler function`);
  });
});
