import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, createTestHub, defineActor, defineEndpoint, z, type TestHub } from "../../../runtime/sdk/index.ts";
import { startActor, type RunningActor } from "../../../runtime/sdk/internal.ts";
import { OutcomeUnknownError, UnavailableError } from "../../../runtime/errors/index.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { mayRetry } from "../../../runtime/sdk/caller.ts";

/** Every run of a handler, with the idempotency key it saw: what a non-idempotent endpoint would repeat. */
const runs: { endpoint: string; key: string | undefined }[] = [];
const runsOf = (endpoint: string) => runs.filter((r) => r.endpoint === endpoint);

const shop = defineActor({
  name: "shop",
  endpoints: {
    charge: defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      handler: (_input, ctx) => {
        runs.push({ endpoint: "charge", key: ctx.idempotencyKey });
        throw new AppError("PROVIDER_BUSY", "the card provider asked to try later", { status: 429, retryable: true });
      },
    }),
    forward: defineEndpoint({
      input: z.object({}),
      output: z.object({}),
      // Meets NO_LIVE_INSTANCE further on: retryable for it, but this handler already ran.
      handler: async (_input, ctx) => {
        runs.push({ endpoint: "forward", key: ctx.idempotencyKey });
        return ctx.call("ghost.anything", {}, { retries: 0 });
      },
    }),
  },
});

const late = defineActor({
  name: "late",
  endpoints: {
    ping: defineEndpoint({
      input: z.object({}),
      output: z.object({ ok: z.boolean() }),
      handler: (_input, ctx) => {
        runs.push({ endpoint: "ping", key: ctx.idempotencyKey });
        return { ok: true };
      },
    }),
  },
});

let hub: TestHub;
let started: RunningActor | undefined;

beforeAll(async () => {
  hub = await createTestHub([shop]);
});
afterAll(async () => {
  await started?.stop();
  await hub?.stop();
});

describe("ctx.call retries", () => {
  it("does not repeat a handler whose error is marked retryable unless asked", async () => {
    await expect(hub.call("shop.charge")).rejects.toMatchObject({ code: "PROVIDER_BUSY", status: 429, retryable: true });
    expect(runsOf("charge")).toHaveLength(1);
  });

  it("does not repeat a handler that met NO_LIVE_INSTANCE further on", async () => {
    await expect(hub.call("shop.forward")).rejects.toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
    expect(runsOf("forward")).toHaveLength(1);
  });

  it("repeats it after dispatch when asked, with the same idempotency key on every attempt", async () => {
    runs.length = 0;
    await expect(hub.call("shop.charge", {}, { retryAfterDispatch: true, retries: 2, backoffMs: 1 })).rejects.toMatchObject({ code: "PROVIDER_BUSY" });
    const keys = runsOf("charge").map((r) => r.key);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toEqual(expect.any(String));
  });

  it("retries NO_LIVE_INSTANCE before dispatch and runs the handler once an instance is there", async () => {
    runs.length = 0;
    const pending = hub.call<{ ok: boolean }>("late.ping", {}, { retries: 8, backoffMs: 20 });
    started = await startActor(late, { transport: hub.transport, log: createLogger({ actor: "late", level: "silent" }) });
    await expect(pending).resolves.toEqual({ ok: true });
    expect(runsOf("ping")).toHaveLength(1);
  });

  it("retries OUTCOME_UNKNOWN only when asked, and a remote retryable error only when asked", () => {
    const lost = new OutcomeUnknownError("the instance died");
    expect([mayRetry(lost, false), mayRetry(lost, true)]).toEqual([false, true]);
    const remote = new UnavailableError("no live instance further on");
    expect([mayRetry(remote, false), mayRetry(remote, true)]).toEqual([false, true]);
  });
});
