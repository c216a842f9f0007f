/**
 * @module table
 * Tables from JSON schema files: the schema format (zod), loading with file:line:field errors,
 * the migration planner (pure) and its application, and the typed table API behind `ctx.db`
 * (values checked per column and always bound).
 * May import: protocol and errors.
 */
export { tableSchemaSchema, columnSchema, indexSchema, primaryKeyOf, versionColumnOf, COLUMN_TYPES, type TableSchema, type ColumnSchema, type ColumnType, type IndexSchema } from "./schema/table-schema.ts";
export { loadTableSchemas, parseTableSchema, SCHEMAS_DIR, type LoadedSchemas } from "./schema/load-table-schemas.ts";
export { planMigration, type Change, type MigrationPlan } from "./schema/plan-migration.ts";
export { readDbShape, type DbShape } from "./schema/db-shape.ts";
export { migrate, MIGRATIONS_TABLE } from "./schema/migrate.ts";
export { Table, type FindOptions, type InsertOptions, type UpdateOptions } from "./api/table.ts";
export { retryOnConflict, LOST_RACE, type ChangeOptions } from "./api/retry-on-conflict.ts";
export { IDEMPOTENCY_TABLE, IDEMPOTENCY_KEEP_MS } from "./api/insert-once.ts";
export { MAX_REQUEST_BYTES, encodedSize } from "./connection/check-statements.ts";
export { databaseTokenFromEnv } from "./connection/database-token.ts";
export { Database, type DatabaseOptions, type DatabaseScope, type StatementObserver, type TransactionOptions } from "./database.ts";
export { libsqlExecutor, type SqlExecutor, type Statement } from "./connection/executor.ts";
export { quote, type Where, type Condition, type OrderBy } from "./api/where-clause.ts";
export type { SqlValue } from "./api/column-values.ts";
