import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { startActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import { createTaskmasterActor, type RunDetail } from "../../runtime/taskmaster/index.ts";
import { AppError, defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";
import { freshPrefix, startNats, startSqld, type NatsHarness, type SqldHarness } from "../helpers/index.ts";
import { connectBusClient, type BusClient } from "../unit/taskmaster/fixtures/bus-client.ts";

/**
 * A payment endpoint that is not safe to repeat: every run of its handler is a charge. It
 * counts its runs per card and always fails, either with a business error marked retryable
 * (the provider asks to try later) or with a crash.
 */
const charges = new Map<string, number>();
const pay = defineActor({
  name: "pay",
  endpoints: {
    charge: defineEndpoint({
      input: z.object({ card: z.string(), crash: z.boolean().default(false) }),
      output: z.object({ charged: z.boolean() }),
      handler: ({ card, crash }) => {
        charges.set(card, (charges.get(card) ?? 0) + 1);
        if (crash) throw new Error("the provider's client crashed");
        throw new AppError("PROVIDER_BUSY", "the card provider asked to try later", { status: 429, retryable: true });
      },
    }),
  },
});

const task = (name: string, retry?: Record<string, number>) => ({
  name,
  input: { type: "object", properties: { card: { type: "string" }, crash: { type: "boolean" } }, required: ["card"] },
  steps: [{ id: "charge", call: "pay.charge", input: "{ 'card': $input.card, 'crash': $input.crash = true }", ...(retry ? { retry } : {}) }],
  output: "$steps.charge",
});

let nats: NatsHarness;
let sqld: SqldHarness;
let dir: string;
let client: BusClient;
const running: RunningActor[] = [];
const transports: NatsTransport[] = [];

beforeAll(async () => {
  [nats, sqld] = await Promise.all([startNats(), startSqld()]);
  dir = mkdtempSync(path.join(os.tmpdir(), "fuse-attempts-"));
  mkdirSync(path.join(dir, "tasks"));
  writeFileSync(path.join(dir, "tasks/charge-once.json"), JSON.stringify(task("charge-once")));
  writeFileSync(path.join(dir, "tasks/charge-thrice.json"), JSON.stringify(task("charge-thrice", { attempts: 3, backoffMs: 10 })));
  const prefix = freshPrefix();
  const log = createLogger({ actor: "test", level: "silent" });
  for (const actor of [createTaskmasterActor({ hubDir: dir, dbUrl: sqld.url }), pay]) {
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: actor.name }));
    transports.push(transport);
    running.push(await startActor(actor, { transport, prefix, log }));
  }
  client = await connectBusClient(nats.url, prefix);
});

afterAll(async () => {
  await client?.close();
  for (const actor of running) await actor.stop();
  for (const transport of transports) await transport.close();
  await Promise.all([nats?.stop(), sqld?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function runTask(name: string, input: Record<string, unknown>): Promise<RunDetail> {
  const { id } = await client.call<{ id: string }>("taskmaster.run", { task: name, input, wait: true });
  return client.call<RunDetail>("taskmaster.status", { runId: id });
}

describe("task step attempts", () => {
  it("runs a step with the default single attempt once, though its error is marked retryable", async () => {
    const run = await runTask("charge-once", { card: "once" });
    expect(run.status).toBe("failed");
    expect(run.steps[0]).toMatchObject({ id: "charge", status: "failed", attempts: 1, error: { code: "PROVIDER_BUSY" } });
    expect(charges.get("once")).toBe(1);
  });

  it("runs a step with 3 attempts exactly 3 times and records 3 attempts", async () => {
    const run = await runTask("charge-thrice", { card: "thrice" });
    expect(run.steps[0]).toMatchObject({ status: "failed", attempts: 3, error: { code: "PROVIDER_BUSY" } });
    expect(charges.get("thrice")).toBe(3);
  });

  it("counts a crashing handler's runs the same way", async () => {
    const once = await runTask("charge-once", { card: "crash-once", crash: true });
    const thrice = await runTask("charge-thrice", { card: "crash-thrice", crash: true });
    expect([once.steps[0]!.attempts, thrice.steps[0]!.attempts]).toEqual([1, 3]);
    expect([charges.get("crash-once"), charges.get("crash-thrice")]).toEqual([1, 3]);
    expect(thrice.steps[0]!.error).toMatchObject({ code: "HANDLER_FAILED" });
  });
});
