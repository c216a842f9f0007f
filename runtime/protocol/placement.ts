/**
 * Placement on a cluster: each user actor's `instances` is a count for the whole cluster,
 * spread over the live nodes that can run it (its module is in their folder), within the
 * actor's constraints. One node (the holder of the `placement` lease) decides and stores the
 * decision in the placement bucket; every node scales its own instances to its share.
 */
import { z } from "zod";

/** An actor's placement constraints (`actors.<name>.placement` in fuse.yaml). */
export const placementConstraintSchema = z.strictObject({
  /** Only these nodes may run it. */
  nodes: z.array(z.string().min(1)).min(1).optional(),
  /** Exactly this many instances on every node that may run it (instead of a spread count). */
  perNode: z.number().int().min(0).max(64).optional(),
});
export type PlacementConstraint = z.infer<typeof placementConstraintSchema>;

/** What a node says it can run: an actor with its configured count and constraints. */
export const placeableSchema = z.object({
  name: z.string(),
  instances: z.number().int().min(0),
  placement: placementConstraintSchema.optional(),
});
export type Placeable = z.infer<typeof placeableSchema>;

/** The stored decision: per actor, instances per node (a node left out runs none). */
export const placementSchema = z.object({
  actors: z.record(z.string(), z.record(z.string(), z.number().int().min(0))),
  /** The live nodes it was made for. */
  nodes: z.array(z.string()),
  /** Who decided, and when (epoch ms, for people). */
  by: z.string(),
  at: z.number(),
  /**
   * The revision of the placement lease its decider held: it grows with every lease write, so
   * of two decisions the one with the higher term is the newer, whoever made them (no clocks
   * compared). Absent in decisions of older versions (taken as 0).
   */
  term: z.number().int().min(0).optional(),
});
export type Placement = z.infer<typeof placementSchema>;

/** The key of the stored decision, and of a cluster-wide count set by `fuse actors scale`, in the placement bucket. */
export const PLACEMENT_KEY = "current";
export const desiredCountKey = (actor: string): string => `desired.${actor}`;
