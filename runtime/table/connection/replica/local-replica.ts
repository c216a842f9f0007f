import { mkdirSync } from "node:fs";
import type LibsqlDatabase from "libsql";
import { ReplicaSyncWorker } from "./replica-sync-worker.ts";
import { removeOrphanReplicas, removeReplica } from "./replica-files.ts";

/**
 * How old, at most, the data a replica read sees may be: a read is served locally only when the
 * replica's last sync began no longer ago than this (and after this process's last write);
 * otherwise it goes to the primary.
 */
export const REPLICA_STALENESS_MS = 100;
/** A sync is started in the background once the replica is this old, so reads rarely find it too old. */
const REFRESH_MS = REPLICA_STALENESS_MS / 2;
/** With no read for this long, background syncs stop (an idle process does not poll the server). */
const IDLE_MS = 5_000;
const STATEMENT_CACHE = 200;
const RETRY_OPEN_MS = 5_000;

export interface LocalReplicaOptions {
  /** The replica's file, made (or replaced) here. */
  file: string;
  /** The primary's URL: sqld's HTTP address (`http://127.0.0.1:8080`) or a `libsql://` one. */
  syncUrl: string;
  authToken?: string;
  stalenessMs?: number;
}

export interface ReplicaRows {
  columns: string[];
  rows: unknown[][];
}

type Db = InstanceType<typeof LibsqlDatabase>;
type Prepared = ReturnType<Db["prepare"]>;

/** What a replica did, for tests and the benchmark. */
export interface ReplicaStats {
  localReads: number;
  primaryReads: number;
  syncs: number;
  syncFailures: number;
}

/**
 * An embedded libSQL replica of the hub's database in this process: a file that a thread keeps in
 * step with the primary (ReplicaSyncWorker), read through a connection of its own at file speed.
 *
 * When a read may be served here (`fresh()`):
 * - after this process's write was answered (succeeded or refused), only once a sync that began
 *   after that answer has finished, so the process reads its own writes (and, after a conflict,
 *   the row it conflicted with);
 * - only while the last finished sync began at most `stalenessMs` ago, so another process's
 *   acknowledged write is seen by every read begun `stalenessMs` after it.
 * Any other read goes to the primary, which is always current.
 */
export class LocalReplica {
  readonly stats: ReplicaStats = { localReads: 0, primaryReads: 0, syncs: 0, syncFailures: 0 };
  private readonly stalenessMs: number;
  private worker: ReplicaSyncWorker | undefined;
  private reader: Db | undefined;
  private readonly statements = new Map<string, Prepared>();
  private writeEpoch = 0;
  private syncedEpoch = -1;
  private syncedAt = -Infinity;
  private syncing = false;
  /** The write epoch the running sync began at. */
  private syncingEpoch = -1;
  private syncAgain = false;
  private lastReadAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private opening: Promise<void> | undefined;
  private openFailedAt = -Infinity;
  private readonly removeOnExit = () => removeReplica(this.options.file);

  constructor(private readonly options: LocalReplicaOptions) {
    this.stalenessMs = options.stalenessMs ?? REPLICA_STALENESS_MS;
  }

  /**
   * Makes the replica: removes files of dead processes, syncs once, opens the reading connection.
   * When that fails (sqld away), reads go to the primary and a read after RETRY_OPEN_MS tries again.
   */
  open(): Promise<void> {
    this.opening ??= this.openOnce().catch(async (error: unknown) => {
      this.openFailedAt = performance.now();
      await this.worker?.close();
      this.worker = undefined;
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  private async openOnce(): Promise<void> {
    const dir = this.options.file.slice(0, this.options.file.lastIndexOf("/"));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    removeOrphanReplicas(dir);
    removeReplica(this.options.file);
    process.once("exit", this.removeOnExit);
    this.worker = new ReplicaSyncWorker(this.options);
    const epoch = this.writeEpoch;
    const startedAt = performance.now();
    await this.worker.sync();
    const { default: Database } = await import("libsql");
    if (this.closed) return;
    this.reader = new Database(this.options.file, { readonly: true });
    this.synced(epoch, startedAt);
  }

  /** Whether a read begun now may be served by the replica; starts a sync when one is due. */
  fresh(): boolean {
    const now = performance.now();
    this.lastReadAt = now;
    this.timer ??= setInterval(() => this.tick(), REFRESH_MS).unref();
    if (!this.reader && !this.opening && !this.closed && now - this.openFailedAt >= RETRY_OPEN_MS) void this.open().catch(() => undefined);
    const current = this.reader !== undefined && this.syncedEpoch >= this.writeEpoch;
    const age = now - this.syncedAt;
    // Syncs follow reads: a process that only writes makes the replica copy nothing.
    if (!current) this.startSync(true);
    else if (age >= REFRESH_MS) this.startSync(false);
    return current && age <= this.stalenessMs;
  }

  /** This process's write was answered by the primary: reads wait for a sync that includes it. */
  noteWrite(): void {
    this.writeEpoch++;
  }

  /** Runs a read on the local file (the caller checked `fresh()`). */
  read(sql: string, args: readonly unknown[]): ReplicaRows {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.reader!.prepare(sql).raw(true);
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    const rows = (statement.all as (...params: unknown[]) => unknown[])(...args) as unknown[][];
    this.stats.localReads++;
    return { columns: statement.columns().map((c) => c.name), rows };
  }

  /** Waits for a sync that begins now (tests: "the replica has everything the primary had"). */
  async syncNow(): Promise<void> {
    await this.open();
    const epoch = this.writeEpoch;
    const startedAt = performance.now();
    await this.worker!.sync();
    this.synced(epoch, startedAt);
  }

  private synced(epoch: number, startedAt: number): void {
    this.stats.syncs++;
    this.syncedEpoch = Math.max(this.syncedEpoch, epoch);
    this.syncedAt = Math.max(this.syncedAt, startedAt);
  }

  private tick(): void {
    if (performance.now() - this.lastReadAt > IDLE_MS) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.startSync(false);
  }

  /** One sync at a time; one that must include a write answered after the running one began follows it. */
  private startSync(mustBeginNow: boolean): void {
    if (this.closed || !this.worker || !this.reader) return;
    if (this.syncing) {
      if (mustBeginNow && this.syncingEpoch < this.writeEpoch) this.syncAgain = true;
      return;
    }
    this.syncing = true;
    const epoch = this.writeEpoch;
    this.syncingEpoch = epoch;
    const startedAt = performance.now();
    this.worker.sync().then(
      () => this.synced(epoch, startedAt),
      // The primary is away: the replica stops being fresh, so reads go to the primary, which
      // then retries or fails them as it does without a replica.
      () => this.stats.syncFailures++,
    ).finally(() => {
      this.syncing = false;
      if (this.syncAgain) {
        this.syncAgain = false;
        this.startSync(false);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.opening?.catch(() => undefined);
    this.statements.clear();
    this.reader?.close();
    this.reader = undefined;
    await this.worker?.close();
    removeReplica(this.options.file);
    process.off("exit", this.removeOnExit);
  }
}
