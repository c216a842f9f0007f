import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyDemoHub, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("the hub's database", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = copyDemoHub();
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("starts sqld, records its URL and creates the tables of schemas/", async () => {
    expect(hub.state.dbUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tables = await runCli(dir, ["db", "tables", "--json"]);
    expect(tables.code, tables.stderr).toBe(0);
    expect(JSON.parse(tables.stdout)).toContainEqual(expect.objectContaining({ name: "notes", rows: 0, schema: "schemas/notes.json" }));
  });

  it("serves the DB-backed demo actor over the bus and HTTP", async () => {
    await hub.call("notes.add", { title: "first", tags: ["a"] });
    const res = await fetch(`${hub.state.gatewayUrl}/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "second", pinned: true }) });
    expect(res.status).toBe(200);
    const list = (await (await fetch(`${hub.state.gatewayUrl}/notes`)).json()) as { notes: { title: string; pinned: boolean }[]; total: number };
    expect(list.total).toBe(2);
    expect(list.notes.map((n) => n.title)).toEqual(["second", "first"]);
  });

  it("browses, backs up, clears and restores through fuse db", async () => {
    const select = await runCli(dir, ["db", "select", "notes", "--where", '{"pinned":true}', "--json"]);
    expect(JSON.parse(select.stdout)).toMatchObject({ total: 1, rows: [{ title: "second", pinned: true }] });
    const backup = await runCli(dir, ["db", "backup", "--json"]);
    expect(backup.code, backup.stderr).toBe(0);
    const { file } = JSON.parse(backup.stdout) as { file: string };
    expect(file).toMatch(/^\.fuse\/backups\/backup-.*\.db$/);
    expect((await runCli(dir, ["db", "clear", "notes"])).stdout).toMatch(/notes: 2 rows deleted/);
    expect((await hub.call<{ total: number }>("notes.list")).total).toBe(0);
    const restore = await runCli(dir, ["db", "restore", file]);
    expect(restore.code, restore.stderr).toBe(0);
    expect((await hub.call<{ total: number }>("notes.list")).total).toBe(2);
  });

  it("drops a table only with the name confirmed", async () => {
    const wrong = await runCli(dir, ["db", "drop", "notes", "--confirm", "note"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/drop notes: confirm must repeat the table's name, got "note"/);
  });

  it("applies an additive schema change at the next start, and refuses a destructive one with a message listing it", async () => {
    await hub.stop();
    const file = path.join(dir, "schemas/notes.json");
    const schema = JSON.parse(readFileSync(file, "utf8")) as { columns: Record<string, unknown> };
    schema.columns.color = { type: "text", nullable: true };
    writeFileSync(file, JSON.stringify(schema));
    hub = await startHub(dir);
    await waitFor("notes has the new column", async () => {
      const t = JSON.parse((await runCli(dir, ["db", "tables", "--json"])).stdout) as { name: string; rows: number; columns: { name: string }[] }[];
      const notes = t.find((x) => x.name === "notes");
      return notes?.columns.some((c) => c.name === "color") && notes.rows === 2;
    });
    await hub.stop();
    delete schema.columns.body;
    writeFileSync(file, JSON.stringify(schema));
    hub = await startHub(dir);
    const db = await waitFor("db refused", async () => {
      const a = await hub.actor("db");
      return a.instances[0]?.lastExit ? a : undefined;
    }, 30_000);
    expect(db.instances[0]!.lastExit!.reason).toContain('DESTRUCTIVE_CHANGE_REFUSED: schema changes refused: drop column notes.body (it would lose data; set "allowDestructive": true in the schema to allow it)');
    // Nothing was lost, and the rest of the hub runs.
    expect((await hub.call<{ total: number }>("notes.list")).total).toBe(2);
  }, 120_000);
});
