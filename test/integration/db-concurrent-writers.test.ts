import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database, migrate, tableSchemaSchema, type TableSchema } from "../../runtime/table/index.ts";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

// sqld 0.24.32 with its default checkpoint (after every 1,000 WAL frames) deadlocked under
// concurrent writers at a multiple of 1,000 writes in about half of the runs: every write on
// every connection hung for good. The hub starts it with a time-based checkpoint instead
// (runtime/hub/servers/sqld.ts). Each case crosses that point several times.
const WRITES = 2_500;
const WRITERS = 8;
// Far above the slowest progress seen on a loaded machine: only a stall waits this long.
const STALL_MS = 15_000;

let seq = 0;
const table = (): TableSchema => tableSchemaSchema.parse({ table: `writes_${++seq}`, columns: { id: { type: "integer", primaryKey: true }, writer: { type: "integer" } } });

/** Runs WRITES inserts from WRITERS concurrent loops; rejects when none finishes for STALL_MS. */
async function writeConcurrently(dbFor: (writer: number) => Database, name: string): Promise<{ sent: number; succeeded: number; failed: number }> {
  const counts = { sent: 0, succeeded: 0, failed: 0 };
  let lastProgress = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    watchdog = setInterval(() => {
      if (Date.now() - lastProgress > STALL_MS) reject(new Error(`no write finished for ${STALL_MS} ms after ${counts.succeeded} of ${WRITES}: the database server stalled`));
    }, 500);
  });
  const writers = Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      while (counts.sent < WRITES) {
        counts.sent++;
        try {
          await dbFor(w).table(name).insert({ writer: w });
          counts.succeeded++;
        } catch {
          counts.failed++;
        }
        lastProgress = Date.now();
      }
    }),
  );
  try {
    await Promise.race([writers, stalled]);
  } finally {
    clearInterval(watchdog);
  }
  return counts;
}

describe("concurrent writers on the hub's sqld", () => {
  let sqld: SqldHarness;
  const open: Database[] = [];

  beforeAll(async () => {
    sqld = await startSqld();
  });
  afterAll(async () => {
    for (const db of open) db.close();
    await sqld?.stop();
  });

  const connect = (t: TableSchema) => {
    const db = new Database({ url: sqld.url.replace(/^http/, "ws"), schemas: [t] });
    open.push(db);
    return db;
  };

  it("finishes every write from 8 processes' worth of connections, one writer each", async () => {
    const t = table();
    const dbs = Array.from({ length: WRITERS }, () => connect(t));
    await migrate(dbs[0]!.executor(), [t]);
    expect(await writeConcurrently((w) => dbs[w]!, t.table)).toEqual({ sent: WRITES, succeeded: WRITES, failed: 0 });
    expect(await dbs[0]!.table(t.table).count()).toBe(WRITES);
  });

  it("finishes every write from 8 concurrent writers sharing one connection", async () => {
    const t = table();
    const db = connect(t);
    await migrate(db.executor(), [t]);
    expect(await writeConcurrently(() => db, t.table)).toEqual({ sent: WRITES, succeeded: WRITES, failed: 0 });
    expect(await db.table(t.table).count()).toBe(WRITES);
  });
});
