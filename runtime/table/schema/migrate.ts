import { MigrationRefusedError } from "../../errors/index.ts";
import { readDbShape } from "./db-shape.ts";
import type { SqlExecutor, Statement } from "../connection/executor.ts";
import { planMigration, type Change } from "./plan-migration.ts";
import type { TableSchema } from "./table-schema.ts";

export const MIGRATIONS_TABLE = "_fuse_migrations";
// Another migrator (a second hub on the same server) may win the race between reading the
// shape and applying the plan; its batch then fails whole, and we plan again from the new shape.
const ATTEMPTS = 3;

function statements(changes: Change[], at: number): Statement[] {
  return changes.flatMap((change) => [
    ...change.sql.map((sql) => ({ sql, args: [] })),
    {
      sql: `INSERT INTO ${MIGRATIONS_TABLE} (at, table_name, change, statements, destructive) VALUES (?, ?, ?, ?, ?)`,
      args: [at, change.table, change.description, JSON.stringify(change.sql), change.destructive ? 1 : 0],
    },
  ]);
}

/**
 * Brings the database to the schemas in one atomic batch and records each applied change in
 * `_fuse_migrations`.
 * @throws DESTRUCTIVE_CHANGE_REFUSED listing every change it would not make (nothing is applied then).
 */
export async function migrate(db: SqlExecutor, schemas: readonly TableSchema[]): Promise<Change[]> {
  await db.execute({
    sql: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, table_name TEXT NOT NULL, change TEXT NOT NULL, statements TEXT NOT NULL, destructive INTEGER NOT NULL)`,
    args: [],
  });
  for (let attempt = 1; ; attempt++) {
    const plan = planMigration(await readDbShape(db), schemas);
    if (plan.refused.length) {
      const list = plan.refused.map((r) => `${r.description} (${r.reason})`).join("; ");
      throw new MigrationRefusedError(`schema changes refused: ${list}`, { details: { refused: plan.refused } });
    }
    if (!plan.changes.length) return [];
    try {
      await db.batch(statements(plan.changes, Date.now()));
      return plan.changes;
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
    }
  }
}
