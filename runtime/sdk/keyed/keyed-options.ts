import type { z } from "zod";
import { ConfigError } from "../../errors/index.ts";
import { isValidName, NAME_RULE } from "../../protocol/index.ts";
import type { ActorContext } from "../context.ts";

/** When a reminder is due: once after `in` ms, or every `every` ms (the first after `every`, or after `in` when both are given). */
export interface ReminderSchedule {
  in?: number;
  every?: number;
  /** JSON handed to the reminder's handler each time it fires. */
  data?: unknown;
}

/** A reminder as its handler sees it. */
export interface ReminderFiring {
  name: string;
  /** Epoch ms it was due at (it fires once per due time). */
  dueAt: number;
  data: unknown;
}

/**
 * The context of a keyed actor's handler: a request's context plus the key, the key's state
 * and its durable reminders. One turn runs at a time per key, across every instance.
 */
export interface KeyedContext<TState = unknown> extends ActorContext {
  /** The key this request is for (`Fuse-Key`; the `<key>` of `POST /api/<actor>/<key>/<endpoint>`). */
  readonly key: string;
  /**
   * The key's state, typed by `keyed.state`. Change it in place or assign a new one; it is
   * checked against the schema and stored (JetStream KV, revision-checked) before the reply
   * leaves. A handler that throws leaves the state as it was.
   */
  state: TState;
  /** How many turns changed this key's state so far (1 after the first change). */
  readonly version: number;
  /**
   * Sets (or replaces) the key's durable reminder `name`: it fires the actor's
   * `keyed.reminders[name]` handler in a turn of this key, on whichever instance owns the key
   * then, once per due time, across restarts of instances and of the hub. Stored with the state
   * when this turn ends.
   * @example ctx.remind("abandon", { in: 30 * 60_000 });
   */
  remind(name: string, schedule: ReminderSchedule): void;
  /** Removes the key's reminder `name` (when this turn ends). */
  forget(name: string): void;
}

/** A keyed actor's reminder handler: runs in a turn of the key, like an endpoint's handler. */
export type ReminderHandler<TState> = (reminder: ReminderFiring, ctx: KeyedContext<TState>) => unknown;

/** `defineActor({ keyed })`: the state every key has, and its life. */
export interface KeyedOptions<TStateSchema extends z.ZodType = z.ZodType> {
  /** Schema of a key's state; checked after every turn that changed it. */
  state: TStateSchema;
  /** The state of a key never seen before: a value, or a function of the key. */
  initial: z.input<TStateSchema> | ((key: string) => z.input<TStateSchema>);
  /** A key untouched this long is dropped from memory (its state stays stored). Default 300 000. */
  idleMs?: number;
  /** Handlers of the reminders set with `ctx.remind(name, …)`, by name. */
  reminders?: Record<string, ReminderHandler<z.output<TStateSchema>>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKeyedOptions = KeyedOptions<any>;

export const DEFAULT_IDLE_MS = 300_000;

/** The state a new key starts with. */
export function initialState(keyed: AnyKeyedOptions, key: string): unknown {
  const value: unknown = typeof keyed.initial === "function" ? (keyed.initial as (key: string) => unknown)(key) : structuredClone(keyed.initial);
  return keyed.state.parse(value);
}

/**
 * Checks `keyed` when the actor is defined.
 * @throws CONFIG_INVALID naming what is wrong.
 */
export function checkKeyed(where: string, keyed: AnyKeyedOptions | undefined): void {
  if (keyed === undefined) return;
  if (typeof keyed?.state?.safeParse !== "function") throw new ConfigError(`${where}: keyed.state must be a zod schema`);
  if (typeof keyed.initial !== "function" && !keyed.state.safeParse(keyed.initial).success) {
    throw new ConfigError(`${where}: keyed.initial does not match keyed.state (${keyed.state.safeParse(keyed.initial).error?.issues[0]?.message})`);
  }
  if (keyed.idleMs !== undefined && !(Number.isFinite(keyed.idleMs) && keyed.idleMs > 0)) {
    throw new ConfigError(`${where}: keyed.idleMs must be a positive number of ms, got ${JSON.stringify(keyed.idleMs)}`);
  }
  for (const [name, handler] of Object.entries(keyed.reminders ?? {})) {
    if (!isValidName(name)) throw new ConfigError(`${where}: reminder ${JSON.stringify(name)}: name must be ${NAME_RULE}`);
    if (typeof handler !== "function") throw new ConfigError(`${where}: reminder "${name}" must be a function`);
  }
}
