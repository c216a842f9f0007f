import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWire, type FuseError } from "../../runtime/errors/index.ts";
import { Database, IDEMPOTENCY_TABLE, migrate, tableSchemaSchema, type TableSchema } from "../../runtime/table/index.ts";
import { classifyFailure } from "../../runtime/table/connection/connection-failure.ts";
import { startSqld, waitFor, type SqldHarness } from "../helpers/index.ts";

const WRITERS = 16;
let seq = 0;
const eventsTable = (): TableSchema =>
  tableSchemaSchema.parse({
    table: `events_${++seq}`,
    columns: { id: { type: "integer", primaryKey: true }, tag: { type: "text", unique: true }, writer: { type: "integer" } },
  });
const keyedTable = (): TableSchema =>
  tableSchemaSchema.parse({ table: `keyed_${++seq}`, columns: { id: { type: "text", primaryKey: true }, writer: { type: "integer" } } });

interface StreamResult {
  /** tag → "ok" or the error code of its last attempt. */
  outcomes: Map<string, string>;
  /** Inserts in flight when sqld was killed. */
  inFlightAtKill: number;
  /** Inserts that reported OUTCOME_UNKNOWN and were repeated by the caller (same key). */
  repeatedAfterUnknown: number;
  /** Acknowledged inserts whose returned row did not carry their tag. */
  wrongRows: number;
  /** The first error of each code. */
  errors: Map<string, FuseError>;
}

// The attack's shape: many writers insert without pause; sqld dies by SIGKILL mid-stream and
// comes back on the same port and data folder, as the hub revives it.
async function streamThroughKill(sqld: SqldHarness, insert: (tag: string, writer: number) => Promise<Record<string, unknown>>, options: { repeatUnknown: boolean }): Promise<StreamResult> {
  const outcomes = new Map<string, string>();
  let inFlight = 0;
  let stop = false;
  let repeatedAfterUnknown = 0;
  let wrongRows = 0;
  const errors = new Map<string, FuseError>();
  const acknowledged = () => [...outcomes.values()].filter((o) => o === "ok").length;
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const tag = `${w}-${i}`;
      inFlight++;
      try {
        for (;;) {
          try {
            const row = await insert(tag, w);
            if (row.tag !== tag && row.id !== tag) wrongRows++;
            outcomes.set(tag, "ok");
            break;
          } catch (error) {
            const code = (error as FuseError).code ?? String(error);
            outcomes.set(tag, code);
            if (!errors.has(code)) errors.set(code, error as FuseError);
            if (code !== "OUTCOME_UNKNOWN" || !options.repeatUnknown) break;
            repeatedAfterUnknown++;
          }
        }
      } finally {
        inFlight--;
      }
    }
  });
  let inFlightAtKill: number;
  try {
    await waitFor("200 acknowledged inserts", () => acknowledged() >= 200);
    inFlightAtKill = inFlight;
    process.kill(sqld.pid, "SIGKILL");
    await sqld.exited;
    await sqld.revive();
    const before = acknowledged();
    await waitFor("200 more acknowledged inserts after the revival", () => acknowledged() >= before + 200, 30_000);
  } finally {
    // Also on a failure: writers left running would hammer the next test's database.
    stop = true;
  }
  await Promise.all(writers);
  return { outcomes, inFlightAtKill, repeatedAfterUnknown, wrongRows, errors };
}

async function storedTags(db: Database, table: string, column: string): Promise<Map<string, number>> {
  const rows = await db.sql<{ tag: string; n: number }>(`SELECT ${column} AS tag, COUNT(*) AS n FROM ${table} GROUP BY ${column}`);
  return new Map(rows.map((r) => [r.tag, Number(r.n)]));
}

/** The counts of the attack report: what was acknowledged, lost, committed without acknowledgement, twice. */
function tally(outcomes: Map<string, string>, stored: Map<string, number>) {
  const codes: Record<string, number> = {};
  for (const o of outcomes.values()) codes[o] = (codes[o] ?? 0) + 1;
  const committed = (tag: string) => stored.has(tag);
  return {
    codes,
    acknowledgedLost: [...outcomes].filter(([tag, o]) => o === "ok" && !committed(tag)).length,
    // Committed although its caller was told it failed in a way that means "not applied".
    phantoms: [...outcomes].filter(([tag, o]) => o !== "ok" && o !== "OUTCOME_UNKNOWN" && committed(tag)).length,
    unknownCommitted: [...outcomes].filter(([tag, o]) => o === "OUTCOME_UNKNOWN" && committed(tag)).length,
    neverAttempted: [...stored.keys()].filter((tag) => !outcomes.has(tag)).length,
    duplicates: [...stored.values()].filter((n) => n > 1).length,
  };
}

describe("database writes through a kill -9 of sqld (16 writers)", () => {
  let sqld: SqldHarness;
  const open: Database[] = [];
  const connect = async (kind: string, table: TableSchema) => {
    const db = new Database({ url: sqld.url.replace(/^http/, kind), schemas: [table] });
    open.push(db);
    await migrate(db.executor(), [table]);
    return db;
  };

  beforeAll(async () => {
    sqld = await startSqld();
  });
  afterAll(async () => {
    for (const db of open) db.close();
    await sqld?.stop();
  });

  for (const kind of ["ws", "http"]) {
    it(`over ${kind}: inserts with an idempotency key lose no acknowledged row, make no phantom and no duplicate`, async () => {
      const t = eventsTable();
      const db = await connect(kind, t);
      const rows = db.table(t.table);
      const run = await streamThroughKill(sqld, async (tag, writer) => (await rows.insert({ tag, writer }, { idempotencyKey: `${t.table}:${tag}` }))[0]!, { repeatUnknown: true });
      const counts = tally(run.outcomes, await storedTags(db, t.table, "tag"));
      expect(run.inFlightAtKill).toBeGreaterThan(0);
      // ctx.db settles a lost connection itself: every insert is acknowledged.
      expect(counts).toMatchObject({ acknowledgedLost: 0, phantoms: 0, neverAttempted: 0, duplicates: 0 });
      expect(counts.codes).toEqual({ ok: run.outcomes.size });
      expect(run.wrongRows).toBe(0);
      // Exactly one key recorded per committed row.
      const keys = await db.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${IDEMPOTENCY_TABLE} WHERE table_name = ?`, [t.table]);
      expect(Number(keys[0]!.n)).toBe(run.outcomes.size);
    });

    it(`over ${kind}: inserts with caller-chosen primary keys are settled by ctx.db: none lost, none twice`, async () => {
      const t = keyedTable();
      const db = await connect(kind, t);
      const rows = db.table(t.table);
      const run = await streamThroughKill(sqld, async (id, writer) => (await rows.insert({ id, writer }))[0]!, { repeatUnknown: false });
      const counts = tally(run.outcomes, await storedTags(db, t.table, "id"));
      expect(run.inFlightAtKill).toBeGreaterThan(0);
      expect(counts).toMatchObject({ acknowledgedLost: 0, phantoms: 0, neverAttempted: 0, duplicates: 0 });
      expect(counts.codes).toEqual({ ok: run.outcomes.size });
      expect(run.wrongRows).toBe(0);
    });

    it(`over ${kind}: plain inserts report a write that may have been applied as OUTCOME_UNKNOWN, never as retryable`, async () => {
      // Inserts sent before the client saw the connection go end unknown; those made while sqld
      // was down were never sent, and waited for it. Whether a request is caught between its
      // send and its answer by the kill is up to the scheduler (over HTTP answers are quick), so
      // the kill is repeated, at most three times, until one is: every round must hold.
      let run: StreamResult | undefined;
      let table = "";
      for (let round = 0; round < 3 && !run?.errors.has("OUTCOME_UNKNOWN"); round++) {
        // A table of its own each round, so that its tags count alone.
        const t = eventsTable();
        const db = await connect(kind, t);
        const rows = db.table(t.table);
        table = t.table;
        run = await streamThroughKill(sqld, async (tag, writer) => (await rows.insert({ tag, writer }))[0]!, { repeatUnknown: false });
        const counts = tally(run.outcomes, await storedTags(db, t.table, "tag"));
        expect(run.inFlightAtKill).toBeGreaterThan(0);
        expect(counts).toMatchObject({ acknowledgedLost: 0, phantoms: 0, neverAttempted: 0, duplicates: 0 });
        expect(Object.keys(counts.codes).filter((code) => code !== "ok" && code !== "OUTCOME_UNKNOWN")).toEqual([]);
      }
      expect(run!.errors.has("OUTCOME_UNKNOWN")).toBe(true);
      const wire = toWire(run!.errors.get("OUTCOME_UNKNOWN")!);
      expect({ status: wire.headers["Nats-Service-Error-Code"], body: JSON.parse(wire.body.replaceAll(table, "events")) }).toMatchInlineSnapshot(`
        {
          "body": {
            "error": {
              "code": "OUTCOME_UNKNOWN",
              "details": {
                "statement": "INSERT INTO "events"",
              },
              "message": "INSERT INTO "events": the connection to the database was lost after the write was sent, so it may or may not have been applied; check before repeating it, or write with an idempotency key",
            },
          },
          "status": "500",
        }
      `);
    });

    it(`over ${kind}: a connection lost inside a transaction fails it as retryable NO_LIVE_INSTANCE, and none of it is committed`, async () => {
      const t = eventsTable();
      const db = await connect(kind, t);
      const error = await db
        .transaction(async (tx) => {
          await tx.table(t.table).insert({ tag: "first", writer: 0 });
          process.kill(sqld.pid, "SIGKILL");
          await sqld.exited;
          await tx.table(t.table).insert({ tag: "second", writer: 0 });
        })
        .catch((e: FuseError) => e);
      await sqld.revive();
      expect(error).toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
      expect((error as FuseError).message.replaceAll(t.table, "events")).toMatchInlineSnapshot(`"INSERT INTO "events": the connection to the database was lost inside a transaction, so none of it was committed; run the transaction again"`);
      expect(await db.table(t.table).count()).toBe(0);
    });
  }

  it("tells a request that never left (connection refused) from one whose connection was lost, and both from an answer of the server, for both client transports", async () => {
    const gone = `127.0.0.1:${sqld.port}`;
    for (const kind of ["ws", "http"]) {
      const client = createClient({ url: `${kind}://${gone}` });
      // The server's message quotes the table's name: words of a lost connection, but an answer.
      const error = await client.execute('SELECT 1 FROM "WebSocket was closed: ECONNREFUSED, fetch failed"').catch((e: unknown) => e);
      client.close();
      expect([kind, (error as Error).message, classifyFailure(error)]).toEqual([kind, expect.stringContaining("no such table"), undefined]);
    }
    process.kill(sqld.pid, "SIGKILL");
    await sqld.exited;
    for (const kind of ["ws", "http"]) {
      const client = createClient({ url: `${kind}://${gone}` });
      const error = await client.execute("SELECT 1").catch((e: unknown) => e);
      client.close();
      expect([kind, classifyFailure(error)]).toEqual([kind, "not-sent"]);
    }
    await sqld.revive();
  });
});
