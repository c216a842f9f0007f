import { z } from "zod";
import { NAME_PATTERN } from "../protocol/index.ts";

// As a schedule's `call`: actor and endpoint names alike.
const TARGET = new RegExp(`^${NAME_PATTERN}\\.${NAME_PATTERN}$`);

/** One endpoint's limits across every run of every taskmaster instance. */
export const endpointLimitSchema = z
  .strictObject({
    /** Most calls of this endpoint in flight at once, from all runs together. */
    concurrency: z.number().int().positive().optional(),
    /** Most calls started per second (spaced evenly: 1000 / perSecond ms apart), from all runs together. */
    perSecond: z.number().positive().max(10_000).optional(),
  })
  .refine((limit) => limit.concurrency !== undefined || limit.perSecond !== undefined, { message: "give concurrency, perSecond or both" });

/**
 * `taskmaster.limits` in fuse.yaml: `{ "payments.charge": { concurrency: 10, perSecond: 50 } }`.
 * Keys are `actor.endpoint` targets.
 */
export const endpointLimitsSchema = z.record(z.string().regex(TARGET, 'keys are "actor.endpoint" targets, such as "payments.charge"'), endpointLimitSchema);

export type EndpointLimitConfig = z.output<typeof endpointLimitSchema>;
export type EndpointLimitsConfig = z.output<typeof endpointLimitsSchema>;
