import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Database } from "../../runtime/table/index.ts";
import { sqldDataFile } from "../../runtime/hub/servers/db-integrity.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const PAGE = 4096;
const ROWS = 2000;

/** Every running process whose command line names `dir` (a server the hub left behind would). */
function processesIn(dir: string): string[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .flatMap((p) => {
      try {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmdline.includes(dir) ? [`${p}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

/** Overwrites 4 pages a third of the way into the file with random bytes: a torn write, not a truncation. */
function corrupt(file: string): void {
  const pages = Math.floor(statSync(file).size / PAGE);
  expect(pages).toBeGreaterThan(20);
  const fd = openSync(file, "r+");
  for (let p = Math.floor(pages / 3); p < Math.floor(pages / 3) + 4; p++) writeSync(fd, randomBytes(PAGE), 0, PAGE, p * PAGE);
  closeSync(fd);
}

async function withDb<T>(hub: RunningHub, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = new Database({ url: hub.state.dbUrl });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

const addRows = (db: Database, from: number, count: number) =>
  db.sql(`INSERT INTO notes (id, body) WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i < ?) SELECT i, printf('%0300d', i) FROM c`, [from, from + count - 1]);
/** The hub's own JSON log lines. */
const hubLog = (dir: string) =>
  readFileSync(path.join(dir, ".fuse/logs/hub.log"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const countRows = (hub: RunningHub) => withDb(hub, async (db) => (await db.sql<{ n: number }>("SELECT count(*) AS n FROM notes"))[0]!.n);

describe("the database's integrity check at start", () => {
  const dir = createHubDir();
  const data = sqldDataFile(path.join(dir, ".fuse", "db"));
  const aside = () => readdirSync(path.join(dir, ".fuse", "db")).filter((f) => f.startsWith("data.sqld.corrupt-"));
  let backup = "";
  // Every hub a test starts, stopped here too: a test that fails midway must not leave one running.
  const hubs: RunningHub[] = [];
  const start = async (): Promise<RunningHub> => {
    const hub = await startHub(dir);
    hubs.push(hub);
    return hub;
  };
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.stop().catch(() => undefined)));
    removeHubDir(dir);
  }, 60_000);
  /**
   * Stops the hub once sqld has checkpointed `rows` rows of ~300 bytes into its data file (every
   * second): rows still only in the write-ahead log would not be in the pages the test corrupts.
   */
  const stopCheckpointed = async (hub: RunningHub, rows: number) => {
    await waitFor(`sqld to checkpoint ${rows} rows into its data file`, () => statSync(data).size >= rows * 300, 30_000);
    await hub.stop();
  };

  it("refuses a corrupt database with no backup, says how to start fresh, and leaves no server running", async () => {
    const hub = await start();
    await withDb(hub, async (db) => {
      await db.sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
      await addRows(db, 1, ROWS);
    });
    await stopCheckpointed(hub, ROWS);
    corrupt(data);
    const up = await runCli(dir, ["up"], 60_000);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toContain("[DATABASE_CORRUPT]");
    expect(up.stderr).toContain(".fuse/db/data.sqld/dbs/default/data failed its integrity check (");
    expect(up.stderr).toContain("there is no backup in .fuse/backups/ that passes the check");
    expect(processesIn(dir)).toEqual([]);
    // The way out it names: move the corrupt database aside.
    const mv = /`mv (\S+) (\S+)`/.exec(up.stderr);
    expect(mv).not.toBeNull();
    expect(mv![1]).toBe(path.join(dir, ".fuse/db/data.sqld"));
    expect(mv![2]).toMatch(/\/\.fuse\/db\/data\.sqld\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    renameSync(mv![1]!, mv![2]!);
    expect(aside().length).toBe(1);
  }, 180_000);

  it("refuses a corrupt database naming the newest good backup and the command, which restores it with the hub down", async () => {
    const hub = await start();
    // Starts on an empty database (the corrupt one was moved aside).
    await withDb(hub, async (db) => {
      await db.sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
      await addRows(db, 1, ROWS);
    });
    backup = (await hub.call<{ file: string }>("db.backup", {}, { timeoutMs: 60_000 })).file;
    // Written after the backup: lost with the corruption.
    await withDb(hub, (db) => addRows(db, ROWS + 1, 500));
    expect(await countRows(hub)).toBe(ROWS + 500);
    await stopCheckpointed(hub, ROWS + 500);
    corrupt(data);

    const up = await runCli(dir, ["up"], 60_000);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toContain("[DATABASE_CORRUPT]");
    expect(up.stderr).toContain(`the newest backup that passes the check is ${backup} of `);
    expect(processesIn(dir)).toEqual([]);
    const command = /`(fuse -C \S+ db restore \S+)`/.exec(up.stderr)?.[1];
    expect(command).toBe(`fuse -C ${dir} db restore ${backup}`);

    const restore = await runCli(dir, command!.split(" ").slice(1), 120_000);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`notes (${ROWS})`);
    expect(aside().length).toBe(2);
    expect(processesIn(dir)).toEqual([]);

    const again = await start();
    expect(await countRows(again)).toBe(ROWS);
    await again.stop();
    // The healthy database was checked too, and said so with what the check cost.
    const checked = hubLog(dir).filter((l) => l.msg === "database checked").at(-1);
    expect(checked).toMatchObject({ level: 30, restored: false, ms: expect.any(Number) });
  }, 300_000);

  it("with db.autoRestore: true, restores the newest good backup by itself, keeps the corrupt database aside and logs the writes lost", async () => {
    const hub = await start();
    await withDb(hub, (db) => addRows(db, ROWS + 1, 700));
    await stopCheckpointed(hub, ROWS + 700);
    corrupt(data);
    const lastWrite = statSync(data).mtimeMs;
    writeFileSync(path.join(dir, "config/fuse.yaml"), "db:\n  autoRestore: true\n");

    const restored = await start();
    expect(await countRows(restored)).toBe(ROWS);
    expect(aside().length).toBe(3);
    await restored.stop();
    const line = hubLog(dir)
      .filter((l) => String(l.msg).includes("restored from backup"))
      .at(-1);
    expect(line).toMatchObject({ level: 50, backup: path.join(dir, backup) });
    expect(line!.tables).toContainEqual({ name: "notes", rows: ROWS });
    const stamp = /backup-(.*)\.db$/.exec(backup)![1]!.replace(/T(\d\d)-(\d\d)-(\d\d)-(\d+)Z/, "T$1:$2:$3.$4Z");
    expect(line!.lostFrom).toBe(stamp);
    expect(Date.parse(line!.lostTo as string)).toBeGreaterThanOrEqual(Math.floor(lastWrite) - 1);
    expect(existsSync(path.join(dir, ".fuse/db", String(line!.corruptKeptAt).split("/").at(-1)!))).toBe(true);
  }, 300_000);
});
