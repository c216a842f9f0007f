import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

/** Every file and folder under `dir`, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return [path.relative(base, full), ...(e.isDirectory() ? walk(full, base) : [])];
  });
}

// .fuse/ of a real hub started with umask 000: what Fuse writes must be private by its own
// modes, not by the umask of whoever started it.
describe("the hub's private folder", () => {
  let dir: string;
  let hub: RunningHub;
  let backup: string;

  beforeAll(async () => {
    dir = createHubDir({ config: "db:\n  backup:\n    everyMinutes: 60\n" });
    // What an older Fuse left world-readable is closed up at the next start.
    mkdirSync(path.join(dir, ".fuse/logs"), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(dir, ".fuse/logs/old.log"), "{}\n", { mode: 0o644 });
    const umask = process.umask(0);
    let starting: Promise<RunningHub>;
    try {
      starting = startHub(dir);
    } finally {
      process.umask(umask);
    }
    hub = await starting;
    backup = (await hub.call<{ file: string }>("db.backup", {})).file;
    await hub.call("db.tables", {});
  });
  afterAll(async () => {
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("is 0700 with its logs, database, bus store and backups folders", () => {
    const folders = [".fuse", ".fuse/logs", ".fuse/build", ".fuse/db", ".fuse/nats/jetstream", ".fuse/backups"];
    expect(Object.fromEntries(folders.map((f) => [f, modeOf(path.join(dir, f))]))).toEqual(Object.fromEntries(folders.map((f) => [f, "700"])));
  });

  it("keeps state.json, every log, the database files and the backup at 0600", () => {
    const fuse = path.join(dir, ".fuse");
    const all = walk(fuse);
    const logs = all.filter((f) => f.startsWith("logs/") && f.endsWith(".log"));
    const database = all.filter((f) => f.startsWith("db/") && statSync(path.join(fuse, f)).isFile());
    const backups = all.filter((f) => f.startsWith("backups/"));
    // Enough of each kind to mean something: the hub's and the built-ins' logs, sqld's files, one backup.
    expect(logs).toEqual(expect.arrayContaining(["logs/hub.log", "logs/gateway.log", "logs/db.log", "logs/old.log"]));
    expect(database.some((f) => /dbs\/default\/data$/.test(f))).toBe(true);
    expect(backups).toEqual([path.relative(fuse, path.join(dir, backup))]);
    const files = ["state.json", ...logs, ...database, ...backups];
    const open = files.filter((f) => modeOf(path.join(fuse, f)) !== "600").map((f) => `${f} ${modeOf(path.join(fuse, f))}`);
    expect(open).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it("has no folder in it that another user could enter", () => {
    const fuse = path.join(dir, ".fuse");
    const folders = walk(fuse).filter((f) => statSync(path.join(fuse, f)).isDirectory());
    const open = folders.filter((f) => (statSync(path.join(fuse, f)).mode & 0o077) !== 0).map((f) => `${f} ${modeOf(path.join(fuse, f))}`);
    // The top folder is the boundary; below it, sqld's and nats-server's own folders are private too.
    expect(open).toEqual([]);
    expect(folders.length).toBeGreaterThanOrEqual(6);
  });
});
