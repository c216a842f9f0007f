import type { KeyValueBucket } from "../../bus/index.ts";
import { FuseError, NotFoundError, UnavailableError, toFuseError, validationErrorFromIssues } from "../../errors/index.ts";
import { ErrorCode, partitionOf } from "../../protocol/index.ts";
import type { KeyValue } from "../stores/key-value.ts";
import { refusedBeforeRun } from "../refused-before-run.ts";
import { DEFAULT_IDLE_MS, initialState, type AnyKeyedOptions } from "./keyed-options.ts";
import { recordKey, timerKey, type KeyRecord, type StoredReminder } from "./keyed-records.ts";

/**
 * What one turn of a key sees and may change, committed only when the turn succeeds. `state`
 * is the key's state object itself, changed in place: a turn that fails puts the committed
 * one back from its JSON (a schema's parse makes a fresh object of every state it stores, so
 * a handler keeps no hold on the state after its turn).
 */
export interface Turn {
  readonly key: string;
  state: unknown;
  readonly version: number;
  reminders: Record<string, StoredReminder>;
}

/** A key held in memory: its state, what of it is stored, and the tail of its queue of turns. */
interface Activation {
  key: string;
  partition: number;
  /** Its KV key (`s.<key>`). */
  record: string;
  loaded: boolean;
  /** The state; while a turn runs, as that turn left it so far. */
  state: unknown;
  version: number;
  /** KV revision of the record this instance last read or wrote; 0 when none is stored. */
  revision: number;
  reminders: Record<string, StoredReminder>;
  /** JSON of the state as stored ("" when none is): to skip writing a turn that changed nothing, and to undo a failed one. */
  storedState: string;
  /** JSON of the reminders as stored ("" when there are none). */
  storedReminders: string;
  tail: Promise<unknown>;
  queued: number;
  lastUsed: number;
}

export interface ActivationsOptions {
  /** The actor's keyed bucket. */
  kv: KeyValue;
  /** The same bucket as the bus holds it: a turn's record is written straight to it. */
  bucket(): Promise<KeyValueBucket>;
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

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

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
      activation = { key, partition: partitionOf(key), record: recordKey(key), loaded: false, state: undefined, version: 0, revision: 0, reminders: {}, storedState: "", storedReminders: "", tail: Promise.resolve(), queued: 0, lastUsed: Date.now() };
      this.active.set(key, activation);
    }
    const a = activation;
    // A key with no turn queued runs this one now; others wait for the turns queued before them.
    // (`queued` drops in the reaction that settles the tail, so 0 means the tail has settled.)
    const result = a.queued++ === 0 ? this.run(a, body) : a.tail.then(() => this.run(a, body));
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

  /** One turn; never throws, a failure is the promise's rejection. */
  private run<T>(a: Activation, body: (turn: Turn) => T | Promise<T>): Promise<T> {
    try {
      if (!this.options.owns(a.partition)) {
        this.evict(a);
        throw refusedBeforeRun(new UnavailableError(`actor "${this.options.actor}": this instance no longer owns key ${JSON.stringify(a.key)} (partition ${a.partition}); try again`, { retryable: true }));
      }
      if (!a.loaded) return this.load(a).then(() => this.runLoaded(a, body));
      return this.runLoaded(a, body);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private runLoaded<T>(a: Activation, body: (turn: Turn) => T | Promise<T>): Promise<T> {
    // Reminders are copied (no reminders, the common case, copies nothing); the state is undone from its JSON if the turn fails.
    const turn: Turn = { key: a.key, state: a.state, version: a.version, reminders: hasAny(a.reminders) ? structuredClone(a.reminders) : {} };
    let out: T | Promise<T>;
    try {
      out = body(turn);
    } catch (error) {
      this.undo(a);
      throw error;
    }
    if (!isThenable(out)) return this.commit(a, turn, out);
    return out.then(
      (value) => this.commit(a, turn, value),
      (error: unknown) => {
        this.undo(a);
        throw error;
      },
    );
  }

  private async load(a: Activation): Promise<void> {
    this.bucket ??= await this.options.bucket();
    const entry = await this.options.kv.getEntry<KeyRecord>(a.record);
    a.state = entry ? entry.value.s : initialState(this.options.keyed, a.key);
    a.version = entry?.value.v ?? 0;
    a.reminders = entry?.value.r ?? {};
    a.revision = entry?.revision ?? 0;
    // A key never stored has its first turn stored, whatever it changed.
    a.storedState = entry ? JSON.stringify(a.state) : "";
    a.storedReminders = hasAny(a.reminders) ? JSON.stringify(a.reminders) : "";
    a.loaded = true;
    if (hasAny(a.reminders)) this.options.onReminders(a.key, a.reminders);
  }

  private bucket: KeyValueBucket | undefined;

  /** Puts the stored state back after a turn that failed (it may have changed the state in place). */
  private undo(a: Activation): void {
    a.state = a.storedState ? JSON.parse(a.storedState) : initialState(this.options.keyed, a.key);
  }

  /**
   * Stores the turn's state if it changed, revision-checked, then makes it the key's state;
   * resolves with `value` once stored.
   */
  private commit<T>(a: Activation, turn: Turn, value: T): Promise<T> {
    const checked = this.options.keyed.state.safeParse(turn.state);
    if (!checked.success) {
      this.undo(a);
      throw validationErrorFromIssues(`actor "${this.options.actor}" key ${JSON.stringify(a.key)} state`, checked.error.issues, { code: ErrorCode.OUTPUT_INVALID });
    }
    const state = JSON.stringify(checked.data);
    const hasTimers = hasAny(turn.reminders);
    const reminders = hasTimers ? JSON.stringify(turn.reminders) : "";
    if (state === a.storedState && reminders === a.storedReminders) return Promise.resolve(value);
    const hadTimers = a.storedReminders !== "";
    const version = a.version + 1;
    // The record as JSON.stringify({ v, s, r }) writes it, from the JSON made for the comparison above.
    const record = Buffer.from(`{"v":${version},"s":${state}${hasTimers ? `,"r":${reminders}` : ""}}`);
    const { kv } = this.options;
    // The hint goes first: a hint without reminders costs a look, reminders without a hint would never fire.
    const written = hasTimers && !hadTimers ? kv.put(timerKey(a.partition, a.key), 1).then(() => this.write(a, record)) : this.write(a, record);
    return written.then(
      (revision) => {
        a.revision = revision;
        a.state = checked.data;
        a.version = version;
        a.reminders = turn.reminders;
        a.storedState = state;
        a.storedReminders = reminders;
        this.options.onReminders(a.key, a.reminders);
        if (hadTimers && !hasTimers) return kv.delete(timerKey(a.partition, a.key)).then(() => value, () => value);
        return value;
      },
      (error: unknown) => {
        // Whatever happened, memory no longer matches the store: read it again on the next turn.
        this.undo(a);
        this.evict(a);
        throw toFuseError(error);
      },
    );
  }

  /** Writes the key's record with the revision it was read at; resolves with the new revision. */
  private write(a: Activation, record: Uint8Array): Promise<number> {
    return this.bucket!.putIf(a.record, record, a.revision).then((written) => {
      if (written.ok) return written.revision;
      // Another instance wrote the key since this one read it: it owns the key now.
      const bucket = this.options.kv.name;
      const conflict = new FuseError(ErrorCode.CONFLICT, `kv key ${JSON.stringify(a.record)} in bucket "${bucket}": expected revision ${a.revision}, but the latest is ${written.actual ?? "none"}`, {
        details: { bucket, key: a.record, expectedRevision: a.revision, actualRevision: written.actual ?? null },
      });
      throw new UnavailableError(`actor "${this.options.actor}" key ${JSON.stringify(a.key)}: another instance stored a newer state first; this turn was not stored, try again`, { retryable: true, cause: conflict });
    });
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
    // As stored: a turn in flight may be changing the state in place.
    if (a?.loaded) return { key, active: true, state: a.storedState ? JSON.parse(a.storedState) : initialState(this.options.keyed, key), version: a.version, reminders: a.reminders };
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
