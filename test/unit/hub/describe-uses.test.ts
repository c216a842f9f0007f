import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../runtime/config/index.ts";
import { builtinPlans, describePlans } from "../../../runtime/hub/index.ts";

// The taskmaster's bundle is shared by every hub folder, but what it subscribes to (its
// tasks' await steps) is each folder's own: a description read in one folder, or before a
// task changed, granted the wrong topics and the taskmaster crash-looped on a refused consumer.
const awaiting = (topic: string) => ({
  name: `on-${topic.replace(".", "-")}`,
  steps: [{ id: "wait", await: { event: topic, match: "true", timeoutMs: 60_000 } }],
});

function hubFolder(root: string, name: string, tasks: { name: string }[]): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  for (const task of tasks) writeFileSync(path.join(dir, "tasks", `${task.name}.json`), JSON.stringify(task));
  return dir;
}

async function taskmasterTopics(dir: string): Promise<string[]> {
  const plans = builtinPlans(parseConfig("{}", "fuse.yaml")).filter((p) => p.name === "taskmaster");
  const uses = await describePlans(plans, dir, "fuse");
  return [...(uses.get("taskmaster")?.topics ?? [])].sort();
}

/**
 * A built-in actor's plan and the descriptions kept beside the shared bundles: `kept()` lists
 * the actor's files, `before` those there already. The prefix is no other test's, so the files
 * this test makes are its own.
 */
function sharedDescriptions(actor: string) {
  const plans = builtinPlans(parseConfig("{}", "fuse.yaml")).filter((p) => p.name === actor);
  const sharedDir = path.resolve("node_modules/.cache/fuse/actors");
  const kept = () => readdirSync(sharedDir).filter((f) => f.startsWith(`${actor}-`) && f.endsWith(".uses.json"));
  return { plans, sharedDir, prefix: `describe${process.pid}`, kept, before: new Set(kept()) };
}

describe("what an actor uses, read from its definition", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "fuse-describe-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reads the taskmaster's topics from each hub folder's own tasks, and again when a task changes", async () => {
    const a = hubFolder(root, "a", [awaiting("payment.settled")]);
    const b = hubFolder(root, "b", []);
    expect(await taskmasterTopics(a)).toEqual(["payment.settled"]);
    expect(await taskmasterTopics(b)).toEqual([]);
    // Read again in a, after b: a's own, not the last one described.
    expect(await taskmasterTopics(a)).toEqual(["payment.settled"]);

    const cache = path.join(a, ".fuse", "build", "taskmaster.uses.json");
    const kept = statSync(cache).mtimeMs;
    expect(await taskmasterTopics(a)).toEqual(["payment.settled"]);
    expect(statSync(cache).mtimeMs, "unchanged tasks: the kept description is used").toBe(kept);

    writeFileSync(path.join(b, "tasks", "paid.json"), JSON.stringify(awaiting("order.paid")));
    expect(await taskmasterTopics(b)).toEqual(["order.paid"]);
    rmSync(path.join(a, "tasks", "on-payment-settled.json"));
    expect(await taskmasterTopics(a)).toEqual([]);
  }, 60_000);

  it("describes a built-in actor that reads no files once for every hub folder, and once per prefix", async () => {
    const { plans, sharedDir, prefix, kept, before } = sharedDescriptions("db");
    const first = await describePlans(plans, hubFolder(root, "c", []), prefix);
    expect(first.get("db")?.kv).toEqual([`${prefix}-kv-db`]);
    const made = kept().filter((f) => !before.has(f));
    expect(made).toHaveLength(1);
    const file = path.join(sharedDir, made[0]!);
    const written = statSync(file).mtimeMs;
    // A second folder reads the same description, not loading the actor again nor keeping its own.
    const other = hubFolder(root, "d", []);
    expect((await describePlans(plans, other, prefix)).get("db")).toEqual(first.get("db"));
    expect(statSync(file).mtimeMs).toBe(written);
    expect(existsSync(path.join(other, ".fuse", "build", "db.uses.json"))).toBe(false);
    // Another prefix: described for that prefix.
    expect((await describePlans(plans, other, `${prefix}x`)).get("db")?.kv).toEqual([`${prefix}x-kv-db`]);
    for (const f of kept().filter((f) => !before.has(f))) rmSync(path.join(sharedDir, f));
  }, 60_000);

  it("describes the taskmaster once for every hub folder without tasks, and each folder with tasks on its own", async () => {
    const { plans, sharedDir, prefix, kept, before } = sharedDescriptions("taskmaster");
    const topics = async (dir: string) => [...((await describePlans(plans, dir, prefix)).get("taskmaster")?.topics ?? [])];
    const none = hubFolder(root, "e", []);
    expect(await topics(none)).toEqual([]);
    const made = kept().filter((f) => !before.has(f));
    expect(made).toHaveLength(1);
    const written = statSync(path.join(sharedDir, made[0]!)).mtimeMs;
    // No tasks/ at all is the same as an empty one; neither loads the taskmaster again.
    const absent = path.join(root, "f");
    mkdirSync(absent);
    expect(await topics(absent)).toEqual([]);
    expect(statSync(path.join(sharedDir, made[0]!)).mtimeMs).toBe(written);
    expect(existsSync(path.join(none, ".fuse", "build", "taskmaster.uses.json"))).toBe(false);
    // A folder whose tasks await an event: its own description, in its own folder.
    const awaits = hubFolder(root, "g", [awaiting("parcel.sent")]);
    expect(await topics(awaits)).toEqual(["parcel.sent"]);
    expect(existsSync(path.join(awaits, ".fuse", "build", "taskmaster.uses.json"))).toBe(true);
    expect(kept().filter((f) => !before.has(f))).toEqual(made);
    for (const f of made) rmSync(path.join(sharedDir, f));
  }, 60_000);
});
