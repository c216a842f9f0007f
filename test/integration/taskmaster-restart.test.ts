import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { ProcessEnv } from "../../runtime/protocol/index.ts";
import { startActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import type { RunDetail } from "../../runtime/taskmaster/index.ts";
import { REPO, freshPrefix, isAlive, killLeftovers, startNats, waitFor, type NatsHarness } from "../helpers/index.ts";
import { connectBusClient, type BusClient } from "../unit/taskmaster/fixtures/bus-client.ts";
import { startSqld, type SqldHarness as SqldHandle } from "../helpers/index.ts";
import { createWorkActor } from "../unit/taskmaster/fixtures/work-actor.ts";

const durable = {
  name: "durable",
  steps: [
    { id: "first", call: "work.echo", input: "{ 'value': 'one' }" },
    { id: "second", call: "work.hang", input: "{ 'after': $steps.first.value }" },
    { id: "third", call: "work.echo", input: "{ 'value': $steps.second.released }" },
  ],
  output: "$steps.third.value",
};

let nats: NatsHarness;
let sqld: SqldHandle;
let dir: string;
let prefix: string;
let client: BusClient;
let worker: RunningActor;
let workerTransport: NatsTransport;
const work = createWorkActor();
const pids = new Set<number>();

/** The taskmaster as the hub runs it: its own process, through runtime/sdk/process/actor-process.ts. */
function spawnTaskmaster(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "runtime/sdk/process/actor-process.ts")], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      [ProcessEnv.actor]: "taskmaster",
      [ProcessEnv.module]: path.join(REPO, "runtime/taskmaster/actor.ts"),
      [ProcessEnv.natsUrl]: nats.url,
      [ProcessEnv.prefix]: prefix,
      [ProcessEnv.hubDir]: dir,
      [ProcessEnv.dbUrl]: sqld.url,
      [ProcessEnv.logLevel]: "warn",
    },
  });
  pids.add(child.pid!);
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

beforeAll(async () => {
  [nats, sqld] = await Promise.all([startNats(), startSqld()]);
  dir = mkdtempSync(path.join(os.tmpdir(), "fuse-taskmaster-restart-"));
  mkdirSync(path.join(dir, "tasks"));
  writeFileSync(path.join(dir, "tasks/durable.json"), JSON.stringify(durable, null, 2));
  prefix = freshPrefix();
  workerTransport = new NatsTransport(await connectNats({ url: nats.url, name: "work" }));
  worker = await startActor(work.actor, { transport: workerTransport, prefix, log: createLogger({ actor: "work", level: "silent" }) });
  client = await connectBusClient(nats.url, prefix);
});

afterAll(async () => {
  work.release();
  killLeftovers(pids);
  await waitFor("taskmaster processes to exit", () => ![...pids].some(isAlive), 10_000);
  await client?.close();
  await worker?.stop();
  await workerTransport?.close();
  await Promise.all([nats?.stop(), sqld?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function stepStatusInDb(runId: string): Promise<Record<string, string>> {
  const db = createClient({ url: sqld.url });
  try {
    const { rows } = await db.execute({ sql: "SELECT step_id, status FROM fuse_task_steps WHERE run_id = ?", args: [runId] });
    return Object.fromEntries(rows.map((r) => [String(r.step_id), String(r.status)]));
  } finally {
    db.close();
  }
}

describe("taskmaster restart", () => {
  it("resumes a run after kill -9: finished steps are not re-run, the step in flight is re-run with the same idempotency key", async () => {
    const first = spawnTaskmaster();
    const { id } = await waitFor("the taskmaster to take a run", () =>
      client.call<RunDetail>("taskmaster.run", { task: "durable" }, { timeoutMs: 2000, idempotencyKey: "restart-test-run" }),
    );
    await waitFor("the second step to be in flight", () => work.callsOf("hang").length === 1);
    await waitFor("the first step to be recorded as finished", async () => (await stepStatusInDb(id)).first === "succeeded");

    first.kill("SIGKILL");
    await waitFor("the taskmaster to die", () => first.exitCode !== null || first.signalCode !== null);
    expect(first.signalCode).toBe("SIGKILL");

    spawnTaskmaster();
    await waitFor("the step in flight to be called again", () => work.callsOf("hang").length === 2, 30_000);
    const [before, after] = work.callsOf("hang");
    expect(after!.idempotencyKey).toBe(before!.idempotencyKey);
    expect(after!.idempotencyKey).toBe(`${id}/second`);

    work.release();
    const done = await waitFor("the run to finish", async () => {
      const run = await client.call<RunDetail>("taskmaster.status", { runId: id });
      return run.status === "succeeded" ? run : undefined;
    });
    expect(done.output).toBe(true);
    expect(work.callsOf("echo").map((c) => (c.input as { value: unknown }).value)).toEqual(["one", true]);
    expect(done.steps.find((s) => s.id === "second")!.attempts).toBe(2);
  });
});
