import type { IncomingRequest, KeyValueBucket, Transport } from "../../bus/index.ts";
import { ValidationError, toWire } from "../../errors/index.ts";
import { ErrorCode, Header, actorKeyProblem, keyedAdminSubject, keyedBucket, partitionOf, partitionSubject } from "../../protocol/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ActorContext } from "../context.ts";
import { KeyValue } from "../stores/key-value.ts";
import type { AnyActor, AnyEndpoint } from "../define-actor.ts";
import { Activations, type Turn } from "./activations.ts";
import { DEFAULT_IDLE_MS, type AnyKeyedOptions, type KeyedContext, type ReminderSchedule } from "./keyed-options.ts";
import { PartitionLeases } from "./partition-leases.ts";
import { Reminders } from "./reminders.ts";
import { forwardToPartition } from "./forward.ts";
import { followLostInstances } from "./lost-instances.ts";
import { answerKeyedAdmin } from "./keyed-admin.ts";

export interface KeyedHostOptions {
  definition: AnyActor & { keyed: AnyKeyedOptions };
  transport: Transport;
  prefix: string;
  instance: number;
  log: Logger;
  /** A context for a reminder's turn, outside any request. */
  contextOf(key: string): ActorContext;
  /** Lease length in ms (tests shorten it). Default 3 000. */
  leaseMs?: number;
}

/**
 * Runs a keyed actor on one instance: takes its share of partitions, listens on their
 * subjects, runs each request as a turn of its key (state loaded on first use, stored before
 * the reply), forwards keyed requests that arrive on the plain endpoint subject to the
 * partition's owner, fires the reminders of its keys and drops idle keys.
 */
export class KeyedHost {
  readonly activations: Activations;
  private readonly reminders: Reminders;
  private leases: PartitionLeases | undefined;
  private readonly listening = new Map<number, (() => void)[]>();
  private handlers = new Map<string, (request: IncomingRequest) => void>();
  private sweeper: NodeJS.Timeout | undefined;
  private unsubscribeLost: (() => void) | undefined;
  private unlistenAdmin: (() => void) | undefined;
  private readonly kv: KeyValue;

  constructor(private readonly options: KeyedHostOptions) {
    const { definition } = options;
    // The actor's own bucket, opened by the runtime (not through ctx.kv, whose buckets the actor
    // declares), once: turns write their records to it directly, the rest goes through `kv`.
    const name = keyedBucket(options.prefix, definition.name);
    let opened: Promise<KeyValueBucket> | undefined;
    const bucket = () => (opened ??= options.transport.keyValue(name));
    this.kv = new KeyValue(bucket, name);
    this.reminders = new Reminders({
      kv: this.kv,
      log: options.log,
      fire: (key, due) => this.fireReminders(key, due),
    });
    this.activations = new Activations({
      kv: this.kv,
      bucket,
      keyed: definition.keyed,
      actor: definition.name,
      owns: (p) => this.leases?.owns(p) ?? false,
      onReminders: (key, reminders) => this.reminders.schedule(key, reminders),
    });
  }

  /** The endpoint with a handler that runs as a turn of the request's key. */
  wrap(name: string, endpoint: AnyEndpoint): AnyEndpoint {
    return {
      ...endpoint,
      handler: (input: unknown, ctx: ActorContext) => {
        const key = ctx.key;
        const problem = actorKeyProblem(key);
        if (problem) throw new ValidationError(`${this.options.definition.name}.${name}: ${Header.key}: ${problem}`, { code: ErrorCode.BAD_REQUEST });
        return this.activations.turn(key!, (turn) => runHandler(turn, asKeyed(ctx, turn), (keyed) => endpoint.handler(input, keyed)));
      },
    };
  }

  /** A request on the plain endpoint subject: handed to the key's partition owner. */
  forward(endpoint: string, request: IncomingRequest): void {
    const key = request.header(Header.key);
    const problem = actorKeyProblem(key);
    if (problem) {
      const wire = toWire(new ValidationError(`${this.options.definition.name}.${endpoint} is keyed: send the key in the ${Header.key} header (${problem})`, { code: ErrorCode.BAD_REQUEST }));
      return request.respond(wire.body, wire.headers);
    }
    const subject = partitionSubject(this.options.prefix, this.options.definition.name, endpoint, partitionOf(key!));
    void forwardToPartition(this.options.transport, subject, request);
  }

  /** Starts taking partitions; each served partition's subjects go to `handle(endpoint, request)`. */
  async start(serviceId: string, handle: (endpoint: string, request: IncomingRequest) => void): Promise<void> {
    const { definition, transport, prefix, instance, log } = this.options;
    this.handlers = new Map(Object.keys(definition.endpoints).map((name) => [name, (r: IncomingRequest) => handle(name, r)]));
    this.leases = new PartitionLeases({
      kv: this.kv,
      owner: serviceId,
      instance,
      leaseMs: this.options.leaseMs,
      log,
      busyIn: (p) => this.activations.busyIn(p),
      gain: (p) => {
        this.listening.set(p, [...this.handlers].map(([name, h]) => transport.listen(partitionSubject(prefix, definition.name, name, p), h, { holder: serviceId })));
        void this.reminders.load(p);
      },
      lose: async (p) => {
        for (const unsubscribe of this.listening.get(p) ?? []) unsubscribe();
        this.listening.delete(p);
        this.reminders.dropPartition(p);
        await this.activations.dropPartition(p);
      },
    });
    await this.leases.start();
    this.unsubscribeLost = followLostInstances(transport, (id) => this.leases?.ownerLost(id));
    const admin = { kv: this.kv, activations: this.activations, instance, serviceId, partitions: () => this.leases?.partitions() ?? [] };
    this.unlistenAdmin = transport.listen(keyedAdminSubject(prefix, definition.name), (request) => void answerKeyedAdmin(admin, request));
    const idleMs = definition.keyed.idleMs ?? DEFAULT_IDLE_MS;
    this.sweeper = setInterval(() => this.activations.sweep(), Math.min(idleMs, 30_000) / 2);
    this.sweeper.unref();
  }

  /** Runs the due reminders of `key` in one turn: each handler, then its next due time, stored together. */
  private async fireReminders(key: string, now: number): Promise<void> {
    const handlers = this.options.definition.keyed.reminders ?? {};
    const left = await this.activations.turn(key, async (turn) => {
      const ctx = asKeyed(this.options.contextOf(key), turn);
      for (const [name, reminder] of Object.entries(turn.reminders)) {
        if (reminder.dueAt > now) continue;
        const dueAt = reminder.dueAt;
        if (reminder.everyMs) {
          // Once per due time: due times missed while nobody owned the key are not made up one by one.
          let next = reminder.dueAt + reminder.everyMs;
          while (next <= now) next += reminder.everyMs;
          turn.reminders[name] = { ...reminder, dueAt: next };
        } else {
          delete turn.reminders[name];
        }
        const handler = handlers[name];
        if (handler) await runHandler(turn, ctx, (keyed) => handler({ name, dueAt, data: reminder.data }, keyed));
        else this.options.log.warn({ key, reminder: name }, "reminder without a handler skipped");
      }
      return turn.reminders;
    });
    // Also when nothing changed (the reminder had fired already): the schedule matches the store again.
    this.reminders.schedule(key, left);
  }

  /** What `$SRV.STATS` reports for this instance: keys in memory and partitions owned. */
  stats(): { keys: number; partitions: number } {
    return { keys: this.activations.loadedCount(), partitions: this.leases?.partitions().length ?? 0 };
  }

  /** Stops listening, lets the turns in flight finish, and gives the partitions back. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.unsubscribeLost?.();
    this.unlistenAdmin?.();
    this.reminders.stop();
    await this.leases?.stop();
  }
}

/**
 * The request's context seen as a keyed context over one turn: the request's own context,
 * given the turn's fields, as it serves this one request and this one turn (a reminder's
 * firing gets a context of its own). Plain data properties rather than accessors on a new
 * object whose prototype is the context: V8 re-shapes every object first used as a prototype,
 * and that cost a tenth of a keyed instance's CPU (measured). The state is read back into the
 * turn by `runHandler` when the handler is done.
 */
function asKeyed(ctx: ActorContext, turn: Turn): KeyedContext {
  const keyed = ctx as { -readonly [K in keyof KeyedContext]: KeyedContext[K] };
  keyed.key = turn.key;
  keyed.version = turn.version;
  keyed.state = turn.state;
  keyed.remind = (name: string, schedule: ReminderSchedule) => remind(turn, name, schedule);
  keyed.forget = (name: string) => void delete turn.reminders[name];
  return keyed;
}

/** Runs `handler` with `keyed`, then takes the state it left (changed in place or assigned) into the turn. */
function runHandler<T>(turn: Turn, keyed: KeyedContext, handler: (keyed: KeyedContext) => T | Promise<T>): T | Promise<T> {
  const out = handler(keyed);
  if (isThenable(out)) {
    return Promise.resolve(out).then((value: T) => {
      turn.state = keyed.state;
      return value;
    });
  }
  turn.state = keyed.state;
  return out;
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function remind(turn: Turn, name: string, schedule: ReminderSchedule): void {
  const every = schedule.every;
  const first = schedule.in ?? every;
  if (first === undefined || !(first >= 0) || (every !== undefined && !(every > 0))) {
    throw new ValidationError(`ctx.remind(${JSON.stringify(name)}): give { in: ms } or { every: ms } (positive numbers)`);
  }
  turn.reminders[name] = { dueAt: Date.now() + first, ...(every ? { everyMs: every } : {}), ...(schedule.data !== undefined ? { data: schedule.data } : {}) };
}
