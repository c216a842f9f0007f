import type { InValue } from "@libsql/client";
import type { LibsqlLike } from "../executor.ts";

type Hrana = typeof import("@libsql/hrana-client");
type HranaClient = ReturnType<Hrana["openWs"]>;
type HranaStream = ReturnType<HranaClient["openStream"]>;
type LibsqlResult = Awaited<ReturnType<LibsqlLike["execute"]>>;

export { pipelineUrl } from "../database-url.ts";

/**
 * A process's single statements to the primary, all on one hrana stream over one WebSocket: each
 * is sent at once, without waiting for the answers of those before it (pipelined), and runs on
 * the stream's one SQLite connection in the order sent, each in a transaction of its own that is
 * committed before its answer, as when it went alone. @libsql/client opens a stream (a server
 * connection) per statement instead, so a process's concurrent writers queued for SQLite's write
 * lock (SQLITE_BUSY after sqld's 100 ms busy timeout, then backoff): measured on one sqld with 8
 * inserts in flight from one process, 207 -> 1,291 inserts/s; 64 in flight, 95 -> 554. A refused
 * statement leaves the stream open; a stream found closed (a lost WebSocket) is opened again by
 * the next statement, and its statements in flight fail as with @libsql/client (connection-failure.ts).
 */
export class PipelinedStream implements LibsqlLike {
  private hrana: Promise<Hrana> | undefined;
  private client: HranaClient | undefined;
  private stream: HranaStream | undefined;
  private inFlight = 0;
  /** The most statements that were waiting for their answers at once (tests, benchmarks). */
  maxInFlight = 0;

  /** `authToken`: the JWT a server that authenticates wants (a cluster's sqld). */
  constructor(
    private readonly url: string,
    private readonly authToken?: string,
  ) {}

  private async open(): Promise<{ hrana: Hrana; stream: HranaStream }> {
    this.hrana ??= import("@libsql/hrana-client");
    const hrana = await this.hrana;
    if (!this.stream || this.stream.closed || !this.client || this.client.closed) {
      this.client?.close();
      this.client = hrana.openWs(this.url, this.authToken);
      this.stream = this.client.openStream();
    }
    return { hrana, stream: this.stream };
  }

  async execute(statement: { sql: string; args: InValue[] }): Promise<LibsqlResult> {
    const { hrana, stream } = await this.open();
    const result = await this.counted(stream.query(new hrana.Stmt(statement.sql).bindIndexes(statement.args)));
    return { rows: result.rows, columns: result.columnNames.map((c) => c ?? ""), rowsAffected: result.affectedRowCount };
  }

  /**
   * Statements in one write transaction, sent as one request on the same stream: BEGIN
   * IMMEDIATE, each statement only if the one before succeeded, COMMIT, and ROLLBACK unless the
   * commit succeeded (as @libsql/client's batch, which opens a stream, so a server connection,
   * per batch: a batch of 45 upserts took 3.2-3.7 ms that way and 2.3-2.5 ms on one stream).
   * Among this process's statements a batch keeps its place: sent after those before it.
   * Rejects with the first failing statement's error; nothing of the batch is then applied.
   */
  async batch(statements: { sql: string; args: InValue[] }[]): Promise<LibsqlResult[]> {
    const { hrana, stream } = await this.open();
    const batch = stream.batch(false);
    const begin = batch.step();
    const began = begin.run("BEGIN IMMEDIATE");
    let last = begin;
    const answers = statements.map((statement) => {
      const step = batch.step().condition(hrana.BatchCond.ok(last));
      last = step;
      return step.query(new hrana.Stmt(statement.sql).bindIndexes(statement.args));
    });
    const commit = batch.step().condition(hrana.BatchCond.ok(last));
    const committed = commit.run("COMMIT");
    // Its own failure (no transaction left to roll back) says nothing the others do not.
    batch.step().condition(hrana.BatchCond.not(hrana.BatchCond.ok(commit))).run("ROLLBACK").catch(() => undefined);
    // Every step's answer is read below; a failed one must not also be left unhandled.
    for (const answer of [began, committed, ...answers]) answer.catch(() => undefined);
    await this.counted(batch.execute());
    await began;
    const results: LibsqlResult[] = [];
    for (const [i, answer] of answers.entries()) {
      const rows = await answer;
      if (!rows) throw new Error(`statement ${i + 1} of the batch was not run: the transaction was rolled back`);
      results.push({ rows: rows.rows, columns: rows.columnNames.map((c) => c ?? ""), rowsAffected: rows.affectedRowCount });
    }
    await committed;
    return results;
  }

  /** Waits for a request sent on the stream, counted among those in flight meanwhile. */
  private async counted<T>(answer: Promise<T>): Promise<T> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      return await answer;
    } finally {
      this.inFlight--;
    }
  }

  /** Closes the WebSocket; a later statement opens another (as a closed Database's client does). */
  close(): void {
    this.client?.close();
    this.client = undefined;
    this.stream = undefined;
  }
}
