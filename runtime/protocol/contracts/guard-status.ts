import { z } from "zod";

/** An endpoint's bulkhead over every instance of its actor, as `$SRV.STATS` reports it. */
export const bulkheadStatusSchema = z.object({
  endpoint: z.string(),
  /** Handler runs now, and requests waiting for one. */
  running: z.number(),
  queued: z.number(),
  /** Requests refused with OVERLOADED since the instances started. */
  overloaded: z.number(),
});

/** A circuit an actor holds as a caller, per target endpoint, over every instance of the caller. */
export const circuitStatusSchema = z.object({
  /** `actor.endpoint` called. */
  target: z.string(),
  /** The least healthy state over the instances: `open`, then `half-open`, then `closed`. */
  state: z.enum(["closed", "open", "half-open"]),
  /** Calls refused with CIRCUIT_OPEN since the instances started. */
  rejected: z.number(),
  /** Instances (by index) whose breaker for this target is not closed. */
  openOn: z.array(z.number()),
  /** Epoch ms it last opened on one of them, when it is not closed. */
  openedAt: z.number().optional(),
});

/** What an actor's guards refused and hold: present in `hub.list` when it has a bulkhead or a circuit. */
export const actorGuardsSchema = z.object({
  bulkheads: z.array(bulkheadStatusSchema),
  circuits: z.array(circuitStatusSchema),
});
export type ActorGuardsStatus = z.infer<typeof actorGuardsSchema>;
