import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FuseError } from "../../runtime/errors/index.ts";
import { Database, migrate, tableSchemaSchema, type TableSchema } from "../../runtime/table/index.ts";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

const N = 800;
const CHAINS = 8;
let seq = 0;
const notesTable = (): TableSchema =>
  tableSchemaSchema.parse({ table: `notes_${++seq}`, columns: { id: { type: "integer", primaryKey: true }, title: { type: "text" }, meta: { type: "json", nullable: true } } });

// What sqld answers by closing the connection (found against sqld 0.24): text with a lone
// surrogate anywhere in a message (close code 1007 over a WebSocket), and a message above
// 16 MiB. Over one shared WebSocket, that failed every other request in flight on it.
function badRequests(db: Database, table: string): [string, () => Promise<unknown>][] {
  const rows = db.table(table);
  const big = "x".repeat(4_000_000);
  return [
    ["insert, text column", () => rows.insert({ title: "a\ud800b" })],
    ["insert of many, one bad", () => rows.insert([{ title: "fine" }, { title: "\udc00" }])],
    ["find where", () => rows.find({ where: { title: "x\ud800" } })],
    ["find like", () => rows.find({ where: { title: { like: "%\udbff%" } } })],
    ["update", () => rows.update({ id: 1 }, { title: "\ud800" })],
    ["raw sql parameter", () => db.sql("SELECT ? AS v", ["ok", "\ud800"])],
    ["raw sql text", () => db.sql("SELECT '\ud800' AS v")],
    ["raw sql in a transaction", () => db.transaction((tx) => tx.sql("SELECT ? AS v", ["\udfff"]))],
    ["idempotency key", () => rows.insert({ title: "ok" }, { idempotencyKey: "k\ud800" })],
    ["batch above 16 MiB", () => rows.insert([1, 2, 3, 4, 5].map(() => ({ title: big })))],
    ["statement above 16 MiB", () => db.sql(`SELECT length(?) + length(?) + length(?) + length(?) + length(?) AS n`, [big, big, big, big, big])],
    ["NaN parameter", () => db.sql("SELECT ? AS v", [Number.NaN])],
  ];
}

// The error and its causes in one line, so a failure says what the writer met.
function describeFailure(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { name?: string; code?: string; message?: string; cause?: unknown } | undefined; e && parts.length < 5; e = e.cause as typeof e) parts.push(`${e.name ?? ""} ${e.code ?? ""} ${e.message ?? ""}`.trim());
  return parts.join(" <- ");
}

describe("input the database would close the connection for", () => {
  let sqld: SqldHarness;
  const open: Database[] = [];

  beforeAll(async () => {
    sqld = await startSqld();
  });
  afterAll(async () => {
    for (const db of open) db.close();
    await sqld?.stop();
  });

  for (const kind of ["ws", "http"]) {
    it(`over ${kind}: is refused before it is sent, and a concurrent writer on the same client loses nothing`, async () => {
      const t = notesTable();
      // One Database, so one shared WebSocket, as an actor serving many requests has.
      const db = new Database({ url: sqld.url.replace(/^http/, kind), schemas: [t] });
      open.push(db);
      await migrate(db.executor(), [t]);
      const counts = { sent: 0, succeeded: 0, failed: 0 };
      const failures: string[] = [];
      let inFlight = 0;
      const writer = Promise.all(
        Array.from({ length: CHAINS }, async (_, c) => {
          for (let i = 0; i < N / CHAINS; i++) {
            counts.sent++;
            inFlight++;
            try {
              await db.table(t.table).insert({ title: `w${c}-${i}`, meta: { bad: "\ud800 is fine inside json" } });
              counts.succeeded++;
            } catch (e) {
              counts.failed++;
              failures.push(describeFailure(e));
            } finally {
              inFlight--;
            }
          }
        }),
      );
      let writing = true;
      void writer.finally(() => (writing = false));
      const refused: Record<string, number> = {};
      let sentWhileWriting = 0;
      let bad = 0;
      for (let round = 0; writing; round++) {
        for (const [what, request] of badRequests(db, t.table)) {
          // Refusals settle without I/O: let the writer's replies in between. Measuring a request
          // above 16 MiB takes a while; a few rounds of those are enough.
          await new Promise((r) => setImmediate(r));
          if (what.includes("16 MiB") && round >= 3) continue;
          if (inFlight > 0) sentWhileWriting++;
          bad++;
          const code = await request().then(
            () => "accepted",
            (e: FuseError) => e.code ?? e.message,
          );
          refused[code] = (refused[code] ?? 0) + 1;
        }
      }
      await writer;
      expect({ ...counts, failures: [...new Set(failures)] }).toEqual({ sent: N, succeeded: N, failed: 0, failures: [] });
      // Lost: none; and nothing of the refused requests was written.
      expect(await db.table(t.table).count()).toBe(N);
      expect(refused).toEqual({ VALIDATION_FAILED: bad });
      expect(sentWhileWriting).toBeGreaterThan(0);
    });
  }

  it("names the table and column, or the parameter's position, of what it refuses", async () => {
    const t = notesTable();
    const db = new Database({ url: sqld.url.replace(/^http/, "ws"), schemas: [t] });
    open.push(db);
    await migrate(db.executor(), [t]);
    const messages: Record<string, string> = {};
    for (const [what, request] of badRequests(db, t.table)) {
      messages[what] = await request().then(
        () => "accepted",
        (e: FuseError) => `${e.code} ${e.message}`.replaceAll(t.table, "notes"),
      );
    }
    expect(messages).toMatchInlineSnapshot(`
      {
        "NaN parameter": "VALIDATION_FAILED sql argument 1: expected a finite number, got NaN",
        "batch above 16 MiB": "VALIDATION_FAILED a batch of 5 statements (INSERT INTO "notes" …): expected at most 15.9 MiB in one database request, got 19.1 MiB; write fewer rows at once, or keep large values out of the database",
        "find like": "VALIDATION_FAILED notes.title like: expected text without a lone surrogate (the database cannot store one), got "%\\udbff%" (\\udbff at index 1)",
        "find where": "VALIDATION_FAILED notes.title: expected text without a lone surrogate (the database cannot store one), got "x\\ud800" (\\ud800 at index 1)",
        "idempotency key": "VALIDATION_FAILED notes insert: idempotencyKey: expected a string of 1 to 200 characters (no lone surrogate), got "k\\ud800"",
        "insert of many, one bad": "VALIDATION_FAILED notes.title: expected text without a lone surrogate (the database cannot store one), got "\\udc00" (\\udc00 at index 0)",
        "insert, text column": "VALIDATION_FAILED notes.title: expected text without a lone surrogate (the database cannot store one), got "a\\ud800b" (\\ud800 at index 1)",
        "raw sql in a transaction": "VALIDATION_FAILED sql argument 1: expected text without a lone surrogate (the database cannot store one), got "\\udfff" (\\udfff at index 0)",
        "raw sql parameter": "VALIDATION_FAILED sql argument 2: expected text without a lone surrogate (the database cannot store one), got "\\ud800" (\\ud800 at index 0)",
        "raw sql text": "VALIDATION_FAILED sql text: expected text without a lone surrogate (the database cannot store one), got \\ud800 at index 8",
        "statement above 16 MiB": "VALIDATION_FAILED SELECT length: expected at most 15.9 MiB in one database request, got 19.1 MiB; write fewer rows at once, or keep large values out of the database",
        "update": "VALIDATION_FAILED notes.title: expected text without a lone surrogate (the database cannot store one), got "\\ud800" (\\ud800 at index 0)",
      }
    `);
  });
});
