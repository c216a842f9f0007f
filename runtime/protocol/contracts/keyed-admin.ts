import { z } from "zod";

/** A key held in memory by one instance. */
export const activeKeySchema = z.object({
  key: z.string(),
  partition: z.number(),
  /** Turns that changed its state so far. */
  version: z.number(),
  /** Epoch ms of its latest turn. */
  lastUsed: z.number(),
});

/** One instance's answer on the keyed admin subject when asked for its keys. */
export const instanceKeysSchema = z.object({
  instance: z.number(),
  pid: z.number(),
  serviceId: z.string(),
  /** Partitions it owns now. */
  partitions: z.array(z.number()),
  keys: z.array(activeKeySchema),
});
export type InstanceKeys = z.infer<typeof instanceKeysSchema>;

/** A reminder as stored with its key. */
export const storedReminderSchema = z.object({ dueAt: z.number(), everyMs: z.number().optional(), data: z.unknown().optional() });

/** One key's stored state as an instance sees it. */
export const keyViewSchema = z.object({
  key: z.string(),
  partition: z.number(),
  /** Whether the instance that answered holds the key in memory now. */
  active: z.boolean(),
  /** The instance owning the key's partition, when one does. */
  owner: z.object({ instance: z.number(), serviceId: z.string() }).nullable(),
  version: z.number(),
  state: z.unknown(),
  reminders: z.record(z.string(), storedReminderSchema),
});
export type KeyView = z.infer<typeof keyViewSchema>;

/** What a keyed instance is asked on `keyedAdminSubject`: its keys, or one key. */
export const keyedAdminRequestSchema = z.object({ key: z.string().optional() });

/** `hub.keys`: a keyed actor's active keys, per instance. */
export const actorKeysSchema = z.object({
  actor: z.string(),
  /** Keys held in memory over every instance. */
  active: z.number(),
  instances: z.array(instanceKeysSchema),
});
export type ActorKeys = z.infer<typeof actorKeysSchema>;
