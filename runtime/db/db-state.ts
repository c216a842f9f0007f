import path from "node:path";
import { NotFoundError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { Database, Table, type ColumnType, type TableSchema } from "../table/index.ts";
import { schemaFromColumns, type DeclaredColumn } from "./schema-from-columns.ts";

export interface DbActorOptions {
  hubDir: string;
  dbUrl: string | undefined;
  /** The token the database at dbUrl wants (a cluster's sqld). */
  dbToken?: string | undefined;
}

/** What the `db` actor's endpoints share: the connection, the loaded table schemas and the backup folder. */
export class DbState {
  readonly db: Database;
  readonly backupDir: string;
  schemas = new Map<string, TableSchema & { file: string }>();

  constructor(readonly options: DbActorOptions) {
    this.db = new Database({ url: options.dbUrl, authToken: options.dbToken, hubDir: options.hubDir });
    this.backupDir = path.join(options.hubDir, ".fuse", "backups");
  }

  /** The table's name, or NOT_FOUND when the database has no such table. */
  async knownTable(name: string): Promise<string> {
    const rows = await this.db.sql<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name]);
    if (!rows.length) throw new NotFoundError(ErrorCode.NOT_FOUND, `table "${name}": no such table`);
    return name;
  }

  /**
   * The table API over a table; tables without a schema file (the taskmaster's, raw SQL ones)
   * are browsed by their declared column types.
   */
  async tableOf(name: string): Promise<Table> {
    await this.knownTable(name);
    const declared = () => this.db.sql<DeclaredColumn>("SELECT name, type, pk FROM pragma_table_info(?)", [name]);
    const schema = this.schemas.get(name) ?? schemaFromColumns(name, await declared());
    return new Table(schema, this.db.executor());
  }

  /**
   * Each declared column's type as `tableOf` reads it: the schema file's, else (no file, or a
   * column the file no longer lists) the one its declared SQL type gives.
   */
  kindsOf(name: string, declared: DeclaredColumn[]): Map<string, ColumnType> {
    const file = this.schemas.get(name)?.columns ?? {};
    const read = schemaFromColumns(name, declared).columns;
    return new Map(declared.map((c) => [c.name, (file[c.name] ?? read[c.name]!).type]));
  }
}
