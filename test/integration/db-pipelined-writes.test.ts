import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FuseError } from "../../runtime/errors/index.ts";
import { libsqlExecutor, Database, migrate, tableSchemaSchema, type TableSchema } from "../../runtime/table/index.ts";
import { PipelinedStream, pipelineUrl } from "../../runtime/table/connection/pipeline/pipelined-stream.ts";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

// ctx.db's single writes share one hrana stream, sent without waiting for each other's answers.

let sqld: SqldHarness;
beforeAll(async () => {
  sqld = await startSqld();
});
afterAll(async () => {
  await sqld?.stop();
});

let seq = 0;
/** A new table, made in sqld. */
async function migratedTable(): Promise<TableSchema> {
  const schema = tagsTable();
  const setup = new Database({ url: sqld.url });
  await migrate(setup.executor(), [schema]);
  setup.close();
  return schema;
}

const tagsTable = (): TableSchema => tableSchemaSchema.parse({ table: `tags_${++seq}`, columns: { id: { type: "integer", primaryKey: true }, tag: { type: "text", unique: true } } });

describe("pipelined writes on one stream", () => {
  it("keeps each statement's meaning: a refused insert among many in flight fails alone, every other is applied once", async () => {
    const schema = await migratedTable();
    const stream = new PipelinedStream(pipelineUrl(sqld.url)!);
    // Single statements only.
    const executor = libsqlExecutor({ execute: (statement) => stream.execute(statement), batch: () => Promise.reject(new Error("no batches here")) });
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        executor
          .execute({ sql: `INSERT INTO "${schema.table}" (tag) VALUES (?) RETURNING tag`, args: [i % 50 === 7 ? "twice" : `t${i}`] })
          .then((r) => `ok:${String(r.rows[0]!.tag)}`, (error: FuseError) => error.code),
      ),
    );
    const counts = outcomes.reduce<Record<string, number>>((c, o) => ({ ...c, [o.startsWith("ok:") ? "ok" : o]: (c[o.startsWith("ok:") ? "ok" : o] ?? 0) + 1 }), {});
    // 4 inserts of "twice": the first applied, the other 3 refused on their own.
    expect(counts).toEqual({ ok: 197, CONFLICT: 3 });
    expect(outcomes.filter((o) => /^ok:t\d/.test(o)).length).toBe(196);
    expect(stream.maxInFlight).toBeGreaterThan(1);
    const check = new Database({ url: sqld.url });
    const stored = await check.sql<{ tag: string; n: number }>(`SELECT tag, count(*) AS n FROM "${schema.table}" GROUP BY tag HAVING n > 1`);
    expect(stored).toEqual([]);
    expect((await check.sql<{ n: number }>(`SELECT count(*) AS n FROM "${schema.table}"`))[0]!.n).toBe(197);
    check.close();
    stream.close();
  });

  it("takes 4 processes' worth of concurrent writers (one Database each, 50 in flight each) with no error reaching a caller", async () => {
    const schema = tagsTable();
    const dbs = Array.from({ length: 4 }, () => new Database({ url: sqld.url, schemas: [schema] }));
    await migrate(dbs[0]!.executor(), [schema]);
    const failures: string[] = [];
    await Promise.all(
      dbs.flatMap((db, d) =>
        Array.from({ length: 50 }, async (_, w) => {
          for (let i = 0; i < 10; i++) await db.table(schema.table).insert({ tag: `${d}-${w}-${i}` }).catch((error: FuseError) => failures.push(error.code));
        }),
      ),
    );
    expect(failures).toEqual([]);
    expect(await dbs[0]!.table(schema.table).count()).toBe(2000);
    for (const db of dbs) db.close();
  });

  it("sends a batch on the same stream as one transaction: a broken constraint leaves none of its rows, single writes in flight around it are applied, a good batch is applied whole", async () => {
    const schema = await migratedTable();
    const stream = new PipelinedStream(pipelineUrl(sqld.url)!);
    const executor = libsqlExecutor(stream);
    const insert = (tag: string) => ({ sql: `INSERT INTO "${schema.table}" (tag) VALUES (?)`, args: [tag] });
    const singles = Array.from({ length: 40 }, (_, i) => executor.execute(insert(`s${i}`)).then(() => "ok", (error: FuseError) => error.code));
    const bad = executor.batch([insert("b1"), insert("b2"), insert("b1")]).then(() => "ok", (error: FuseError) => error.code);
    const good = executor.batch(["g1", "g2", "g3", "g4", "g5"].map(insert)).then((results) => results.length, (error: FuseError) => error.code);
    const more = Array.from({ length: 40 }, (_, i) => executor.execute(insert(`m${i}`)).then(() => "ok", (error: FuseError) => error.code));
    expect(await bad).toBe("CONFLICT");
    expect(await good).toBe(5);
    expect(new Set(await Promise.all([...singles, ...more]))).toEqual(new Set(["ok"]));
    expect(stream.maxInFlight).toBeGreaterThan(1);
    const rows = await executor.execute({ sql: `SELECT tag FROM "${schema.table}"`, args: [] });
    const tags = rows.rows.map((r) => String(r.tag));
    expect(tags.filter((t) => t.startsWith("b"))).toEqual([]);
    expect(tags.filter((t) => t.startsWith("g")).sort()).toEqual(["g1", "g2", "g3", "g4", "g5"]);
    expect(tags.length).toBe(85);
    stream.close();
  });
});
