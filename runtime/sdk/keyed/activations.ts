import { FuseError, NotFoundError, UnavailableError, toFuseError, validationErrorFromIssues } from "../../errors/index.ts";
import { ErrorCode, partitionOf } from "../../protocol/index.ts";
import type { KeyValue } from "../stores/key-value.ts";
import { DEFAULT_IDLE_MS, initialState, type AnyKeyedOptions } from "./keyed-options.ts";
import { recordKey, timerKey, type KeyRecord, type StoredReminder } from "./keyed-records.ts";

/** What one turn of a key sees and may change: copies, committed only when the turn succeeds. */
export interface Turn {
  readonly key: string;
  state: unknown;
  readonly version: number;
  reminders: Record<string, StoredReminder>;
}

/** A key held in memory: its committed state and the tail of its queue of turns. */
interface Activation {
  key: string;
  partition: number;
  loaded: boolean;
  state: unknown;
  version: number;
  /** KV revision of the record this instance last read or wrote; 0 when none is stored. */
  revision: number;
  reminders: Record<string, StoredReminder>;
  /** JSON of state and reminders as stored, to skip writing a turn that changed nothing. */
  stored: string;
  tail: Promise<unknown>;
  queued: number;
  lastUsed: number;
}

export interface ActivationsOptions {
  /** The actor's keyed bucket. */
  kv: KeyValue;
  keyed: AnyKeyedOptions;
  actor: string;
  /** Whether this instance owns the partition now; a turn on one it lost is refused. */
  owns(partition: number): boolean;
  /** After a turn was stored (and after a key was loaded): its reminders, to schedule them. */
  onReminders(key: string, reminders: Record<string, StoredReminder>): void;
}

function hasAny(record: object): boolean {
  for (const _ in record) return true;
  return false;
}

const encodeStored = (state: unknown, reminders: Record<string, StoredReminder>) => JSON.stringify([state, reminders]);

/**
 * The keys this instance holds in memory and their turns. Turns of one key run one after the
 * other (a promise chain per key); turns of different keys run concurrently. A turn's state is
 * stored with the revision it was read at before its result is handed back, so a reply never
 * goes out before its state change is durable, and an instance that lost the key (its lease
 * expired and another took it) fails to write instead of overwriting a newer state.
 */
export class Activations {
  private readonly active = new Map<string, Activation>();
  private readonly idleMs: number;

  constructor(private readonly options: ActivationsOptions) {
    this.idleMs = options.keyed.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** Runs `body` as the next turn of `key`, then stores what it changed; resolves with its result. */
  turn<T>(key: string, body: (turn: Turn) => T | Promise<T>): Promise<T> {
    let activation = this.active.get(key);
    if (!activation) {
      activation = { key, partition: partitionOf(key), loaded: false, state: undefined, version: 0, revision: 0, reminders: {}, stored: "", tail: Promise.resolve(), queued: 0, lastUsed: Date.now() };
      this.active.set(key, activation);
    }
    const a = activation;
    a.queued++;
    const result = a.tail.then(() => this.run(a, body));
    a.tail = result.then(
      () => this.settle(a),
      () => this.settle(a),
    );
    return result;
  }

  private settle(a: Activation): void {
    a.queued--;
    a.lastUsed = Date.now();
  }

  private async run<T>(a: Activation, body: (turn: Turn) => T | Promise<T>): Promise<T> {
    if (!this.options.owns(a.partition)) {
      this.evict(a);
      throw new UnavailableError(`actor "${this.options.actor}": this instance no longer owns key ${JSON.stringify(a.key)} (partition ${a.partition}); try again`, { retryable: true, details: { notRun: true } });
    }
    if (!a.loaded) await this.load(a);
    // Copies, so a handler that throws leaves the key as it was (no reminders, the common case, copies nothing).
    const turn: Turn = { key: a.key, state: structuredClone(a.state), version: a.version, reminders: hasAny(a.reminders) ? structuredClone(a.reminders) : {} };
    const result = await body(turn);
    await this.commit(a, turn);
    return result;
  }

  private async load(a: Activation): Promise<void> {
    const entry = await this.options.kv.getEntry<KeyRecord>(recordKey(a.key));
    a.state = entry ? entry.value.s : initialState(this.options.keyed, a.key);
    a.version = entry?.value.v ?? 0;
    a.reminders = entry?.value.r ?? {};
    a.revision = entry?.revision ?? 0;
    a.stored = entry ? encodeStored(a.state, a.reminders) : "";
    a.loaded = true;
    if (Object.keys(a.reminders).length) this.options.onReminders(a.key, a.reminders);
  }

  /** Stores the turn's state if it changed, revision-checked, then makes it the key's state. */
  private async commit(a: Activation, turn: Turn): Promise<void> {
    const checked = this.options.keyed.state.safeParse(turn.state);
    if (!checked.success) {
      throw validationErrorFromIssues(`actor "${this.options.actor}" key ${JSON.stringify(a.key)} state`, checked.error.issues, { code: ErrorCode.OUTPUT_INVALID });
    }
    const encoded = encodeStored(checked.data, turn.reminders);
    if (encoded === a.stored) return;
    const { kv } = this.options;
    const hadTimers = Object.keys(a.reminders).length > 0;
    const hasTimers = Object.keys(turn.reminders).length > 0;
    // The hint goes first: a hint without reminders costs a look, reminders without a hint would never fire.
    if (hasTimers && !hadTimers) await kv.put(timerKey(a.partition, a.key), 1);
    const record: KeyRecord = { v: a.version + 1, s: checked.data, r: hasTimers ? turn.reminders : undefined };
    try {
      a.revision = a.revision === 0 ? await kv.create(recordKey(a.key), record) : await kv.update(recordKey(a.key), record, { revision: a.revision });
    } catch (error) {
      // Whatever happened, memory no longer matches the store: read it again on the next turn.
      this.evict(a);
      throw this.writeFailed(a.key, toFuseError(error));
    }
    a.state = checked.data;
    a.version = record.v;
    a.reminders = turn.reminders;
    a.stored = encoded;
    if (hadTimers && !hasTimers) await kv.delete(timerKey(a.partition, a.key)).catch(() => undefined);
    this.options.onReminders(a.key, a.reminders);
  }

  private writeFailed(key: string, error: FuseError): FuseError {
    if (error.code !== ErrorCode.CONFLICT) return error;
    // Another instance wrote the key since this one read it: it owns the key now.
    return new UnavailableError(`actor "${this.options.actor}" key ${JSON.stringify(key)}: another instance stored a newer state first; this turn was not stored, try again`, { retryable: true, cause: error });
  }

  private evict(a: Activation): void {
    if (this.active.get(a.key) === a) this.active.delete(a.key);
  }

  /** Drops the keys of a partition this instance gave up once their queued turns are done. */
  async dropPartition(partition: number): Promise<void> {
    const leaving = [...this.active.values()].filter((a) => a.partition === partition);
    await Promise.all(leaving.map((a) => a.tail));
    for (const a of leaving) this.evict(a);
  }

  /** Turns queued or running in a partition. */
  busyIn(partition: number): number {
    let n = 0;
    for (const a of this.active.values()) if (a.partition === partition) n += a.queued;
    return n;
  }

  /** Drops keys idle for `idleMs` (their state is stored; the next request loads it again). */
  sweep(now = Date.now()): void {
    for (const a of this.active.values()) if (a.queued === 0 && now - a.lastUsed >= this.idleMs) this.evict(a);
  }

  /** The keys held in memory, with their partition, version and last use. */
  list(): { key: string; partition: number; version: number; lastUsed: number }[] {
    return [...this.active.values()].filter((a) => a.loaded).map((a) => ({ key: a.key, partition: a.partition, version: a.version, lastUsed: a.lastUsed }));
  }

  /** A key's state as this instance holds it, or as stored (not activating it). */
  async inspect(key: string): Promise<{ key: string; active: boolean; state: unknown; version: number; reminders: Record<string, StoredReminder> }> {
    const a = this.active.get(key);
    if (a?.loaded) return { key, active: true, state: a.state, version: a.version, reminders: a.reminders };
    const entry = await this.options.kv.getEntry<KeyRecord>(recordKey(key));
    if (!entry) throw new NotFoundError(ErrorCode.NOT_FOUND, `actor "${this.options.actor}" has no state for key ${JSON.stringify(key)}`);
    return { key, active: false, state: entry.value.s, version: entry.value.v, reminders: entry.value.r ?? {} };
  }

  /** Keys held in memory with their state loaded. */
  loadedCount(): number {
    let n = 0;
    for (const a of this.active.values()) if (a.loaded) n++;
    return n;
  }

  get size(): number {
    return this.active.size;
  }
}
