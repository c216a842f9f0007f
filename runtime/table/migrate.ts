import { MigrationRefusedError } from "../errors/index.ts";
import { readDbShape } from "./db-shape.ts";
import type { SqlExecutor } from "./executor.ts";
import { planMigration, type Change } from "./plan-migration.ts";
import type { TableSchema } from "./table-schema.ts";

export const MIGRATIONS_TABLE = "_fuse_migrations";

/**
 * Brings the database to the schemas and records each applied change in `_fuse_migrations`.
 * @throws DESTRUCTIVE_CHANGE_REFUSED listing every change it would not make (nothing is applied then).
 */
export async function migrate(db: SqlExecutor, schemas: readonly TableSchema[]): Promise<Change[]> {
  await db.execute({
    sql: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, table_name TEXT NOT NULL, change TEXT NOT NULL, statements TEXT NOT NULL, destructive INTEGER NOT NULL)`,
    args: [],
  });
  const plan = planMigration(await readDbShape(db), schemas);
  if (plan.refused.length) {
    const list = plan.refused.map((r) => `${r.description} (${r.reason})`).join("; ");
    throw new MigrationRefusedError(`schema changes refused: ${list}`, { details: { refused: plan.refused } });
  }
  for (const change of plan.changes) {
    for (const sql of change.sql) await db.execute({ sql, args: [] });
    await db.execute({
      sql: `INSERT INTO ${MIGRATIONS_TABLE} (at, table_name, change, statements, destructive) VALUES (?, ?, ?, ?, ?)`,
      args: [Date.now(), change.table, change.description, JSON.stringify(change.sql), change.destructive ? 1 : 0],
    });
  }
  return plan.changes;
}
