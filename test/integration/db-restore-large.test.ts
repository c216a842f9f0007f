import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupDatabase, restoreDatabase } from "../../runtime/db/index.ts";
import { Database, MAX_REQUEST_BYTES } from "../../runtime/table/index.ts";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

describe("restoring a backup larger than one database request", () => {
  let sqld: SqldHarness;
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    sqld = await startSqld();
    db = new Database({ url: sqld.url.replace(/^http/, "ws") });
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-restore-"));
  });
  afterAll(async () => {
    db?.close();
    await sqld?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("splits the rows into requests the server takes, over the actors' WebSocket", async () => {
    const rows = 24;
    const size = 1_000_000;
    // Together well above one request, as a single multi-row INSERT sent them before.
    expect(rows * size * (4 / 3)).toBeGreaterThan(MAX_REQUEST_BYTES);
    await db.sql("CREATE TABLE pictures (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    for (let i = 0; i < rows; i++) await db.sql("INSERT INTO pictures (data) VALUES (?)", [new Uint8Array(size).fill(i)]);
    const backup = await backupDatabase(db, dir);
    await db.sql("DELETE FROM pictures");
    const restored = await restoreDatabase(db, backup.file);
    expect(restored.tables).toContainEqual({ name: "pictures", rows });
    const [stored] = await db.sql<{ n: number; bytes: number; last: number }>("SELECT COUNT(*) AS n, SUM(length(data)) AS bytes, MAX(unicode(substr(CAST(data AS TEXT), 1, 1))) AS last FROM pictures");
    expect(stored).toEqual({ n: rows, bytes: rows * size, last: rows - 1 });
  });
});
