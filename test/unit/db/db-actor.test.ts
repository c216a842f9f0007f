import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDbActor } from "../../../runtime/db/index.ts";
import { createTestHub, type TestHub } from "../../../runtime/sdk/index.ts";

// The db actor on the in-process bus over an embedded libSQL file: its endpoints are driven
// through calls, as HTTP and the CLI drive them.
describe("the db actor", () => {
  let dir: string;
  let hub: TestHub;
  const call = <T = unknown>(endpoint: string, input: unknown = {}) => hub.call<T>(`db.${endpoint}`, input);
  const failure = (endpoint: string, input: unknown) =>
    call(endpoint, input).then(
      () => "resolved",
      (e: Error & { code: string }) => `${e.code} ${e.message}`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-db-actor-"));
    mkdirSync(path.join(dir, "schemas"));
    writeFileSync(
      path.join(dir, "schemas/notes.json"),
      JSON.stringify({ table: "notes", columns: { id: { type: "integer", primaryKey: true }, title: { type: "text" }, pinned: { type: "boolean", default: false } } }),
    );
    const url = `file:${path.join(dir, "db.sqlite")}`;
    hub = await createTestHub([createDbActor({ hubDir: dir, dbUrl: url })]);
    // A table made with raw SQL, as the taskmaster makes its own: no schema file.
    const { Database } = await import("../../../runtime/table/index.ts");
    const raw = new Database({ url });
    await raw.sql("CREATE TABLE fuse_task_runs (id TEXT PRIMARY KEY, status TEXT NOT NULL, attempts INTEGER)");
    await raw.sql("INSERT INTO fuse_task_runs VALUES ('r1', 'done', 1), ('r2', 'failed', 3)");
    await raw.sql("INSERT INTO notes (title, pinned) VALUES ('a', 1), ('b', 0), ('c', 1)");
    await raw.sql("CREATE TABLE scratch (id INTEGER PRIMARY KEY)");
    raw.close();
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists tables with columns, row counts and schema files, hiding Fuse's own (_fuse_*, fuse_task_*)", async () => {
    const { tables } = await call<{ tables: { name: string; rows: number; schema?: string; columns: { name: string }[] }[] }>("tables");
    expect(tables.map((t) => [t.name, t.rows, t.schema ?? null])).toEqual([
      ["notes", 3, "schemas/notes.json"],
      ["scratch", 0, null],
    ]);
    expect(tables[0]!.columns.map((c) => c.name)).toEqual(["id", "title", "pinned"]);
  });

  it("names each column's type as the schema file says, or as its declared SQL type reads without a file", async () => {
    const { tables } = await call<{ tables: { name: string; columns: { name: string; type: string; kind: string }[] }[] }>("tables");
    expect(tables.find((t) => t.name === "notes")!.columns).toEqual([
      { name: "id", type: "INTEGER", kind: "integer" },
      { name: "title", type: "TEXT", kind: "text" },
      { name: "pinned", type: "INTEGER", kind: "boolean" },
    ]);
    expect(tables.find((t) => t.name === "scratch")!.columns).toEqual([{ name: "id", type: "INTEGER", kind: "integer" }]);
  });

  it("selects rows filtered, ordered and paged, typed by the schema", async () => {
    expect(await call("select", { table: "notes", where: { pinned: true }, orderBy: "-id", limit: 1 })).toEqual({ rows: [{ id: 3, title: "c", pinned: true }], total: 2 });
  });

  it("browses a table that has no schema file by its declared column types", async () => {
    expect(await call("select", { table: "fuse_task_runs", where: { attempts: { gt: 1 } } })).toEqual({ rows: [{ id: "r2", status: "failed", attempts: 3 }], total: 1 });
  });

  it("names the table or column that does not exist", async () => {
    expect(await failure("select", { table: "nope" })).toMatchInlineSnapshot(`"NOT_FOUND table "nope": no such table"`);
    expect(await failure("select", { table: "notes", where: { colour: "red" } })).toMatchInlineSnapshot(`"VALIDATION_FAILED notes: unknown column "colour" (columns: id, title, pinned)"`);
    expect(await failure("select", { table: "notes", where: { pinned: "yes" } })).toMatchInlineSnapshot(`"VALIDATION_FAILED notes.pinned: expected true or false, got "yes""`);
  });

  it("drops a table only when the confirmation repeats its name, and never clears or drops Fuse's own", async () => {
    expect(await failure("drop", { table: "scratch", confirm: "yes" })).toMatchInlineSnapshot(`"VALIDATION_FAILED drop scratch: confirm must repeat the table's name, got "yes""`);
    expect(await failure("drop", { table: "_fuse_migrations", confirm: "_fuse_migrations" })).toMatchInlineSnapshot(`"VALIDATION_FAILED drop _fuse_migrations: the table is Fuse's own"`);
    expect(await failure("drop", { table: "fuse_task_runs", confirm: "fuse_task_runs" })).toMatchInlineSnapshot(`"VALIDATION_FAILED drop fuse_task_runs: the table is Fuse's own"`);
    expect(await failure("clear", { table: "fuse_task_runs" })).toMatchInlineSnapshot(`"VALIDATION_FAILED clear fuse_task_runs: the table is Fuse's own"`);
    expect((await call<{ total: number }>("select", { table: "fuse_task_runs" })).total).toBe(2);
    expect(await call("drop", { table: "scratch", confirm: "scratch" })).toEqual({ dropped: "scratch" });
  });

  it("backs up online, clears, and restores the rows (and a dropped table) from the backup", async () => {
    const backup = await call<{ file: string; tables: { name: string; rows: number }[] }>("backup");
    expect(backup.file).toMatch(/^\.fuse\/backups\/backup-.*\.db$/);
    expect(backup.tables).toContainEqual({ name: "notes", rows: 3 });
    expect(await call("clear", { table: "notes" })).toEqual({ deleted: 3 });
    await call("drop", { table: "notes", confirm: "notes" });
    expect(await failure("restore", { file: "../elsewhere.db" })).toMatchInlineSnapshot(`"VALIDATION_FAILED restore: ../elsewhere.db is not in .fuse/backups/"`);
    expect((await call<{ tables: { name: string; rows: number }[] }>("restore", { file: backup.file })).tables).toContainEqual({ name: "notes", rows: 3 });
    expect((await call<{ total: number }>("select", { table: "notes" })).total).toBe(3);
    const listed = await call<{ files: string[]; backups: { file: string; bytes: number; at: number }[] }>("backups");
    expect(listed.files).toEqual([backup.file]);
    expect(listed.backups).toEqual([{ file: backup.file, bytes: statSync(path.join(dir, backup.file)).size, at: Math.round(statSync(path.join(dir, backup.file)).mtimeMs) }]);
    expect(listed.backups[0]!.bytes).toBeGreaterThan(0);
  });
});
