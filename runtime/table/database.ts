import type { Client, Config, Transaction } from "@libsql/client";
import { NotFoundError, OutcomeUnknownError, UnavailableError, type SchemaError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import type { SqlValue } from "./api/column-values.ts";
import { classifyFailure } from "./connection/connection-failure.ts";
import { Reachability, libsqlExecutor, withRetries, type SqlExecutor } from "./connection/executor.ts";
import { measure, measuredExecutor, type StatementMeasure } from "./connection/measured-executor.ts";
import { pipelineUrl, replicaSyncUrl } from "./connection/database-url.ts";
import { PipelinedStream } from "./connection/pipeline/pipelined-stream.ts";
import { LocalReplica, type ReplicaStats } from "./connection/replica/local-replica.ts";
import { replicaExecutor } from "./connection/replica/replica-executor.ts";
import { replicaFile } from "./connection/replica/replica-files.ts";
import { SCHEMAS_DIR, loadTableSchemas } from "./schema/load-table-schemas.ts";
import { Table } from "./api/table.ts";
import type { TableSchema } from "./schema/table-schema.ts";

type Row = Record<string, unknown>;

/** What a transaction's callback gets: the same table API and raw SQL, inside the transaction. */
export interface DatabaseScope {
  table<T extends Row = Row>(name: string): Table<T>;
  sql<T extends Row = Row>(sql: string, args?: SqlValue[]): Promise<T[]>;
}

export interface TransactionOptions {
  /** `"write"` (default) or `"read"`: a snapshot that only reads. */
  mode?: "write" | "read";
}

export interface DatabaseOptions {
  /** libSQL URL: `http://…` (sqld), `libsql://…` (Turso), `file:…`. */
  url?: string;
  /** The JWT the server wants, when it authenticates (a cluster's sqld: hub/cluster/cluster-database.ts). */
  authToken?: string;
  /** Hub folder whose `schemas/` describe the tables. */
  hubDir?: string;
  /** Schemas given directly (tests), instead of `schemas/`. */
  schemas?: TableSchema[];
  /**
   * Read from an embedded replica of the primary kept in `dir` (`db.replica`): SELECTs outside
   * transactions at file speed, see connection/replica/local-replica.ts for what they see.
   */
  replica?: { dir: string; name: string; stalenessMs?: number };
  /** false: every statement on a stream of its own, as @libsql/client sends it (comparisons). Default true. */
  pipeline?: boolean;
  /**
   * Told of each statement `table`, `sql` and transactions run (its SQL text only, never its
   * values) and returns what to call when it ends, with the error if it failed: the spans of
   * `ctx.db` when tracing is on. Default: none.
   */
  observe?: StatementObserver;
  /** Told how long each statement, batch and transaction took and how it ended: the actor's metrics. Default: none. */
  measure?: StatementMeasure;
}

/** See DatabaseOptions.observe. */
export type StatementObserver = (sql: string) => (error?: unknown) => void;

// Reads go to @libsql/client, which runs them side by side on streams of their own.
const READS = /^\s*(SELECT|PRAGMA)\b/i;

/**
 * Commits; a lost connection is OUTCOME_UNKNOWN for a write transaction when the COMMIT was
 * sent, and a retryable NO_LIVE_INSTANCE when it certainly was not applied.
 */
async function commit(tx: Transaction, mode: "write" | "read"): Promise<void> {
  try {
    await tx.commit();
  } catch (error) {
    const failure = classifyFailure(error);
    if (failure === "outcome-unknown" && mode === "write") {
      throw new OutcomeUnknownError("COMMIT: the connection to the database was lost while committing, so the transaction may or may not have been applied; check before running it again", { cause: error });
    }
    if (failure) throw new UnavailableError(`COMMIT: the transaction was not committed (${failure === "busy" ? "the database stayed busy" : "the database server cannot be reached"}); run it again`, { cause: error });
    throw error;
  }
}

/** An executor that tells `observe` of each statement (a batch is one, its statements joined). */
function observed(executor: SqlExecutor, observe: StatementObserver): SqlExecutor {
  const run = async <T>(sql: string, fn: () => Promise<T>): Promise<T> => {
    const done = observe(sql);
    try {
      const result = await fn();
      done();
      return result;
    } catch (error) {
      done(error);
      throw error;
    }
  };
  return {
    execute: (statement) => run(statement.sql, () => executor.execute(statement)),
    batch: (statements) => run(statements.map((s) => s.sql).join(";\n"), () => executor.batch(statements)),
  };
}

/**
 * The client library's entry for the URL's scheme. The ws and http entries leave out the
 * embedded driver, whose native module and libc probe cost a process about 50 ms of CPU to
 * load; `libsql:` and `file:` URLs take the full entry (which picks HTTP for `libsql:`).
 */
function clientLibrary(url: string): Promise<{ createClient: (config: Config) => Client }> {
  if (/^wss?:/i.test(url)) return import("@libsql/client/ws");
  if (/^https?:/i.test(url)) return import("@libsql/client/http");
  return import("@libsql/client");
}

/**
 * `ctx.db`: the hub's database through the typed table API, raw SQL with bound parameters,
 * and transactions. Connects on first use.
 */
export class Database implements DatabaseScope {
  private client: Promise<Client> | undefined;
  private schemas: Map<string, TableSchema> | undefined;
  private invalid: Map<string, SchemaError> | undefined;
  /** Single writes, pipelined on one stream (connection/pipeline): none for a `file:` database. */
  private readonly pipeline: PipelinedStream | undefined;
  /** Whether the server answered lately: statements fail fast while it stays down. */
  private readonly reachability = new Reachability();
  /** Statements outside transactions on the primary, on a client that connects when the first one runs. */
  private readonly primary: SqlExecutor = libsqlExecutor(
    {
      execute: async (statement) => (this.pipeline && !READS.test(statement.sql) ? this.pipeline.execute(statement) : (await this.connection()).execute(statement)),
      batch: async (statements, mode) => (this.pipeline ? this.pipeline.batch(statements) : (await this.connection()).batch(statements, mode)),
    },
    { reachability: this.reachability },
  );
  private readonly replica: LocalReplica | undefined;
  /** Statements outside transactions: through the replica when there is one. */
  private readonly plain: SqlExecutor;

  constructor(private readonly options: DatabaseOptions) {
    const wsUrl = options.pipeline === false ? undefined : pipelineUrl(options.url);
    this.pipeline = wsUrl ? new PipelinedStream(wsUrl, options.authToken) : undefined;
    const syncUrl = options.replica ? replicaSyncUrl(options.url) : undefined;
    this.replica = syncUrl ? new LocalReplica({ file: replicaFile(options.replica!.dir, options.replica!.name), syncUrl, authToken: options.authToken, stalenessMs: options.replica!.stalenessMs }) : undefined;
    this.plain = this.replica ? replicaExecutor(this.primary, this.replica) : this.primary;
  }

  // The client library is loaded with the first statement: an actor that never touches the
  // database does not pay for loading it at start.
  private connection(): Promise<Client> {
    const url = this.options.url;
    if (!url) return Promise.reject(new UnavailableError("no database is configured for this actor (FUSE_DB_URL is not set; run it in a hub)"));
    // Made beside the first connection; until it is, and when it cannot be (a server that does
    // not serve replication), every read goes to the primary.
    if (!this.client) void this.replica?.open().catch(() => undefined);
    this.client ??= clientLibrary(url).then(({ createClient }) => createClient({ url, ...(this.options.authToken ? { authToken: this.options.authToken } : {}) }));
    return this.client;
  }

  private schemaOf(name: string): TableSchema {
    if (!this.schemas) {
      const loaded = this.options.hubDir && !this.options.schemas ? loadTableSchemas(this.options.hubDir) : undefined;
      this.schemas = new Map((this.options.schemas ?? [...(loaded?.tables.values() ?? [])]).map((s) => [s.table, s]));
      this.invalid = new Map(loaded?.invalid.map((i) => [i.file, i.error]));
    }
    const schema = this.schemas.get(name);
    if (schema) return schema;
    // The table's file exists but is invalid: say why, not just that it is missing.
    const invalid = this.invalid?.get(`${SCHEMAS_DIR}/${name}.json`);
    if (invalid) throw invalid;
    throw new NotFoundError(ErrorCode.NOT_FOUND, `no schema for table "${name}" (expected ${SCHEMAS_DIR}/${name}.json)`);
  }

  private scope(plain: SqlExecutor): DatabaseScope {
    const seen = this.options.observe ? observed(plain, this.options.observe) : plain;
    const executor = this.options.measure ? measuredExecutor(seen, this.options.measure) : seen;
    return {
      table: <T extends Row>(name: string) => new Table<T>(this.schemaOf(name), executor),
      sql: async <T extends Row>(sql: string, args: SqlValue[] = []) => (await executor.execute({ sql, args })).rows as T[],
    };
  }

  /** A table by name, typed by you: `ctx.db.table<Note>("notes")`. */
  table<T extends Row = Row>(name: string): Table<T> {
    return this.scope(this.plain).table<T>(name);
  }

  /** Raw SQL; values go in `args`, bound to the `?` in the text. */
  sql<T extends Row = Row>(sql: string, args: SqlValue[] = []): Promise<T[]> {
    return this.scope(this.plain).sql<T>(sql, args);
  }

  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * `mode: "read"` takes a consistent snapshot that does not hold writers up. Default "write".
   */
  async transaction<R>(fn: (tx: DatabaseScope) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const to = this.options.measure;
    return to ? measure(to, "transaction", "", () => this.runTransaction(fn, options)) : this.runTransaction(fn, options);
  }

  private async runTransaction<R>(fn: (tx: DatabaseScope) => Promise<R>, options: TransactionOptions): Promise<R> {
    const mode = options.mode ?? "write";
    // Nothing is applied by opening a transaction: it may be retried like a read. The client
    // sends BEGIN with a transaction's first statement, and a busy database refuses it by
    // closing the transaction, so BEGIN is sent here, where a refusal is retried on a new one,
    // never inside `fn` (where the retry met a closed transaction: TRANSACTION_CLOSED).
    const tx = await withRetries({ what: () => `BEGIN (${mode})`, readOnly: true }, async () => {
      const opened = await (await this.connection()).transaction(mode);
      try {
        await opened.execute("SELECT 1");
        return opened;
      } catch (error) {
        opened.close();
        throw error;
      }
    }, this.reachability);
    try {
      const result = await fn(this.scope(libsqlExecutor(tx, { transaction: true })));
      await commit(tx, mode);
      return result;
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    } finally {
      tx.close();
      // Its writes (committed, or perhaps, when the COMMIT's answer was lost) are this process's own.
      if (mode === "write") this.replica?.noteWrite();
    }
  }

  /** The executor on the primary, for migrations and the db actor. */
  executor(): SqlExecutor {
    return this.primary;
  }

  /** The local replica's counters, when there is one (tests, benchmarks). */
  replicaStats(): ReplicaStats | undefined {
    return this.replica?.stats;
  }

  /** Waits until the local replica has everything the primary had when this was called (tests). */
  async syncReplica(): Promise<void> {
    await this.replica?.syncNow();
  }

  close(): void {
    void this.replica?.close();
    this.pipeline?.close();
    void this.client?.then((client) => client.close(), () => undefined);
    this.client = undefined;
  }
}
