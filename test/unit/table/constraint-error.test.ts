import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FuseError } from "../../../runtime/errors/index.ts";
import { libsqlExecutor, type SqlExecutor } from "../../../runtime/table/index.ts";

let dir: string;
let client: Client;
let db: SqlExecutor;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "fuse-constraints-"));
  client = createClient({ url: `file:${path.join(dir, "db.sqlite")}` });
  db = libsqlExecutor(client);
  await client.execute("PRAGMA foreign_keys = ON");
  await client.execute("CREATE TABLE owners (id INTEGER PRIMARY KEY)");
  await client.execute(
    'CREATE TABLE "pets" (id INTEGER PRIMARY KEY, tag TEXT UNIQUE, a TEXT, b TEXT, legs INTEGER NOT NULL DEFAULT 4 CONSTRAINT legs_positive CHECK (legs >= 0), owner INTEGER REFERENCES owners(id), UNIQUE (a, b))',
  );
  await db.execute({ sql: 'INSERT INTO "pets" (id, tag, a, b) VALUES (1, ?, ?, ?)', args: ["t1", "x", "y"] });
});
afterAll(() => {
  client?.close();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = async (sql: string, args: (string | number | null)[] = []) => {
  const error = (await db.execute({ sql, args }).then(() => undefined, (e: unknown) => e)) as FuseError;
  expect(error).toBeInstanceOf(FuseError);
  return { code: error.code, status: error.status, message: error.message, details: error.details };
};

describe("database constraints through the executor", () => {
  it("makes each kind of constraint failure CONFLICT 409 naming table and columns, without SQLite's words", async () => {
    const seen = [
      await refusal('INSERT INTO "pets" (tag) VALUES (?)', ["t1"]),
      await refusal('INSERT INTO "pets" (a, b) VALUES (?, ?)', ["x", "y"]),
      await refusal('INSERT INTO "pets" (id) VALUES (?)', [1]),
      await refusal('INSERT INTO "pets" (legs) VALUES (?)', [null]),
      await refusal('UPDATE "pets" SET legs = ? WHERE id = 1', [-1]),
      await refusal('INSERT INTO "pets" (owner) VALUES (?)', [7]),
    ];
    expect(seen.every((s) => s.code === "CONFLICT" && s.status === 409)).toBe(true);
    expect(seen.map((s) => [s.message, s.details])).toMatchInlineSnapshot(`
      [
        [
          "pets.tag: another row already has this value (UNIQUE constraint)",
          {
            "columns": [
              "tag",
            ],
            "constraint": "UNIQUE",
            "table": "pets",
          },
        ],
        [
          "pets (a, b): another row already has these values (UNIQUE constraint)",
          {
            "columns": [
              "a",
              "b",
            ],
            "constraint": "UNIQUE",
            "table": "pets",
          },
        ],
        [
          "pets.id: another row already has this value (UNIQUE constraint)",
          {
            "columns": [
              "id",
            ],
            "constraint": "UNIQUE",
            "table": "pets",
          },
        ],
        [
          "pets.legs: a value is required (NOT NULL constraint)",
          {
            "columns": [
              "legs",
            ],
            "constraint": "NOT NULL",
            "table": "pets",
          },
        ],
        [
          "pets: the value breaks a CHECK rule of the table (CHECK constraint "legs_positive")",
          {
            "check": "legs_positive",
            "constraint": "CHECK",
            "table": "pets",
          },
        ],
        [
          "pets: the row refers to a row that does not exist, or other rows still refer to it (FOREIGN KEY constraint)",
          {
            "constraint": "FOREIGN KEY",
            "table": "pets",
          },
        ],
      ]
    `);
  });

  it("keeps SQLite's own error as the cause, and leaves other SQL errors as they are", async () => {
    const error = (await db.execute({ sql: 'INSERT INTO "pets" (tag) VALUES (?)', args: ["t1"] }).catch((e: unknown) => e)) as FuseError;
    expect(String((error.cause as Error).message)).toContain("UNIQUE constraint failed: pets.tag");
    const other = await db.execute({ sql: "SELECT nope FROM pets", args: [] }).catch((e: unknown) => e);
    expect(other).not.toBeInstanceOf(FuseError);
  });

  it("refuses the whole batch, naming the constraint", async () => {
    await expect(
      db.batch([
        { sql: 'INSERT INTO "pets" (tag) VALUES (?)', args: ["t9"] },
        { sql: 'INSERT INTO "pets" (tag) VALUES (?)', args: ["t9"] },
      ]),
    ).rejects.toMatchObject({ code: "CONFLICT", details: { table: "pets", columns: ["tag"] } });
    expect((await db.execute({ sql: "SELECT COUNT(*) AS n FROM pets WHERE tag = 't9'", args: [] })).rows[0]).toEqual({ n: 0 });
  });
});
