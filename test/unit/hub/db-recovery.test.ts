import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Libsql from "libsql";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseCorruptError } from "../../../runtime/errors/index.ts";
import { backupTime, checkSqliteFile, newestGoodBackup, sqldDataFile } from "../../../runtime/hub/servers/db-integrity.ts";
import { checkHubDatabase, corruptDatabaseMessage, restoreCommand } from "../../../runtime/hub/servers/db-recovery.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "fuse-db-recovery-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A SQLite file of about 100 pages of rows. */
function makeDb(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Libsql(file);
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
  const insert = db.prepare("INSERT INTO notes (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) insert.run("x".repeat(300));
  })();
  db.close();
}

function corrupt(file: string): void {
  const fd = openSync(file, "r+");
  const middle = Math.floor(statSync(file).size / 4096 / 2);
  writeSync(fd, randomBytes(3 * 4096), 0, 3 * 4096, middle * 4096);
  closeSync(fd);
}

describe("the database's integrity check", () => {
  it("passes a healthy file and reports the first findings for one with pages overwritten in the middle", () => {
    const file = path.join(root, "check folder #1", "a?.db");
    makeDb(file);
    expect(checkSqliteFile(file)).toEqual([]);
    corrupt(file);
    const findings = checkSqliteFile(file);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.length).toBeLessThanOrEqual(5);
    expect(checkSqliteFile(path.join(root, "check", "missing.db"))).toEqual(["no such file"]);
    expect(existsSync(path.join(root, "check", "missing.db"))).toBe(false);
  });

  it("reads a backup's time from its name", () => {
    expect(backupTime("backup-2026-12-01T10-22-43-123Z.db")).toBe(Date.parse("2026-12-01T10:22:43.123Z"));
    expect(backupTime("backup-latest.db")).toBeUndefined();
    expect(backupTime("notes.db")).toBeUndefined();
  });

  it("takes the newest backup that passes the check, passing over a newer corrupt one", () => {
    const dir = path.join(root, "backups-1");
    makeDb(path.join(dir, "backup-2026-12-01T10-00-00-000Z.db"));
    makeDb(path.join(dir, "backup-2026-12-01T11-00-00-000Z.db"));
    makeDb(path.join(dir, "backup-2026-12-01T12-00-00-000Z.db"));
    corrupt(path.join(dir, "backup-2026-12-01T12-00-00-000Z.db"));
    expect(newestGoodBackup(dir)).toEqual({ file: path.join(dir, "backup-2026-12-01T11-00-00-000Z.db"), at: Date.parse("2026-12-01T11:00:00.000Z") });
    expect(newestGoodBackup(path.join(root, "none"))).toBeUndefined();
  });
});

describe("what the hub does with a corrupt database", () => {
  const now = Date.parse("2026-12-01T12:30:00.000Z");

  it("names the newest good backup, its time and the exact command that restores it", () => {
    const message = corruptDatabaseMessage({
      hubDir: "/srv/my hub",
      sqldDir: "/srv/my hub/.fuse/db",
      file: "/srv/my hub/.fuse/db/data.sqld/dbs/default/data",
      problems: ["*** in database main ***", "Tree 2 page 40 cell 0: invalid page number 1701147252"],
      backup: { file: "/srv/my hub/.fuse/backups/backup-2026-12-01T11-00-00-000Z.db", at: Date.parse("2026-12-01T11:00:00.000Z") },
      now,
    });
    expect(message).toMatchInlineSnapshot(`".fuse/db/data.sqld/dbs/default/data failed its integrity check (*** in database main ***; Tree 2 page 40 cell 0: invalid page number 1701147252), so the hub did not start; the newest backup that passes the check is .fuse/backups/backup-2026-12-01T11-00-00-000Z.db of 2026-12-01T11:00:00.000Z: restore it with the hub down by \`fuse -C '/srv/my hub' db restore .fuse/backups/backup-2026-12-01T11-00-00-000Z.db\` (the corrupt database is moved aside, not deleted), or set db.autoRestore: true in config/fuse.yaml to do so at start"`);
  });

  it("says when there is no backup, and how to start fresh by moving the corrupt database aside", () => {
    const message = corruptDatabaseMessage({ hubDir: "/srv/hub", sqldDir: "/srv/hub/.fuse/db", file: "/srv/hub/.fuse/db/data.sqld/dbs/default/data", problems: ["file is not a database"], backup: undefined, now });
    expect(message).toMatchInlineSnapshot(`".fuse/db/data.sqld/dbs/default/data failed its integrity check (file is not a database), so the hub did not start; there is no backup in .fuse/backups/ that passes the check: to start on an empty database, move the corrupt one aside with \`mv /srv/hub/.fuse/db/data.sqld /srv/hub/.fuse/db/data.sqld.corrupt-2026-12-01T12-30-00-000Z\` and run \`fuse up\` again"`);
  });

  it("quotes a folder the shell would split", () => {
    expect(restoreCommand("/srv/it's", "/srv/it's/.fuse/backups/b.db")).toBe("fuse -C '/srv/it'\\''s' db restore .fuse/backups/b.db");
  });

  it("passes a hub without a database yet and one whose database is healthy", () => {
    const hubDir = path.join(root, "hub-healthy");
    const sqldDir = path.join(hubDir, ".fuse", "db");
    expect(checkHubDatabase({ hubDir, sqldDir, autoRestore: false })).toBeUndefined();
    makeDb(sqldDataFile(sqldDir));
    expect(checkHubDatabase({ hubDir, sqldDir, autoRestore: false })).toBeUndefined();
  });

  it("stops with DATABASE_CORRUPT, or with autoRestore moves the database aside and gives the time range of the writes lost", () => {
    const hubDir = path.join(root, "hub-corrupt");
    const sqldDir = path.join(hubDir, ".fuse", "db");
    const data = sqldDataFile(sqldDir);
    makeDb(data);
    makeDb(path.join(hubDir, ".fuse", "backups", "backup-2026-12-01T11-00-00-000Z.db"));
    corrupt(data);
    const lastWrite = Date.parse("2026-12-01T12:10:00.000Z");
    utimesSync(data, lastWrite / 1000, lastWrite / 1000);

    const refused = (() => {
      try {
        checkHubDatabase({ hubDir, sqldDir, autoRestore: false, now });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(DatabaseCorruptError);
    expect((refused as DatabaseCorruptError).code).toBe("DATABASE_CORRUPT");
    expect((refused as DatabaseCorruptError).details).toMatchObject({ file: data, command: `fuse -C ${hubDir} db restore .fuse/backups/backup-2026-12-01T11-00-00-000Z.db` });
    expect(existsSync(data)).toBe(true);

    const recovery = checkHubDatabase({ hubDir, sqldDir, autoRestore: true, now });
    expect(recovery).toEqual({
      backup: { file: path.join(hubDir, ".fuse", "backups", "backup-2026-12-01T11-00-00-000Z.db"), at: Date.parse("2026-12-01T11:00:00.000Z") },
      keptAt: path.join(sqldDir, "data.sqld.corrupt-2026-12-01T12-30-00-000Z"),
      lost: { from: Date.parse("2026-12-01T11:00:00.000Z"), to: lastWrite },
    });
    expect(existsSync(data)).toBe(false);
    expect(readdirSync(recovery!.keptAt!)).toContain("dbs");
    // Until the backup's rows are in, the next start knows the restore did not finish.
    expect(() => checkHubDatabase({ hubDir, sqldDir, autoRestore: false, now })).toThrow(/the restore of .*backup-2026-12-01T11-00-00-000Z\.db did not finish/);
  });
});

describe("fuse db restore with the hub down", () => {
  it("refuses a file outside .fuse/backups/ and a backup that fails the check, leaving the database as it was", async () => {
    const { restoreDatabaseOffline } = await import("../../../runtime/hub/servers/offline-restore.ts");
    const hubDir = path.join(root, "hub-offline");
    const data = sqldDataFile(path.join(hubDir, ".fuse", "db"));
    makeDb(data);
    const outside = path.join(hubDir, "elsewhere.db");
    makeDb(outside);
    await expect(restoreDatabaseOffline(hubDir, "elsewhere.db")).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: "restore: elsewhere.db is not in .fuse/backups/" });
    const bad = path.join(hubDir, ".fuse", "backups", "backup-2026-12-01T11-00-00-000Z.db");
    makeDb(bad);
    corrupt(bad);
    await expect(restoreDatabaseOffline(hubDir, ".fuse/backups/backup-2026-12-01T11-00-00-000Z.db")).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringMatching(/^restore: \.fuse\/backups\/backup-2026-12-01T11-00-00-000Z\.db failed its integrity check \(.+\); pick an older backup$/) });
    await expect(restoreDatabaseOffline(hubDir, ".fuse/backups/backup-none.db")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(checkSqliteFile(data)).toEqual([]);
    expect(readdirSync(path.join(hubDir, ".fuse", "db"))).toEqual(["data.sqld"]);
  });
});
