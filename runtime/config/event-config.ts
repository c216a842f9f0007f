import { z } from "zod";

const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 } as const;
const UNIT_BYTES = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;
const DURATION = /^(\d+)([smhd])$/;
const SIZE = /^(\d+)([KMG])$/;

/** The config's `events`: how long and how much the hub's event stream keeps, and how subscribers retry. */
export const eventConfigSchema = z.strictObject({
  /** Events older than this are dropped, handled or not: a number and s, m, h or d (`7d`). */
  maxAge: z.string().regex(DURATION, "expected a duration like 7d, 12h or 30m").default("7d"),
  /** The stream keeps at most this much, dropping the oldest events: `1G`, `500M`. */
  maxBytes: z.string().regex(SIZE, "expected a size like 1G or 500M").default("1G"),
  /** Deliveries of one event to one actor before it goes to the dead letters. */
  maxDeliver: z.number().int().min(1).max(1000).default(5),
  /** Delay in ms before the 2nd, 3rd, … delivery after a handler failed; the last one repeats. */
  backoffMs: z.array(z.number().int().min(0).max(3600_000)).min(1).default([1000, 5000, 30_000]),
  /** A handler's time to finish: a delivery unanswered this long (a crash, a hang) is made again. */
  ackWaitMs: z.number().int().min(100).default(30_000),
});

export type EventConfig = z.output<typeof eventConfigSchema>;

/** The `events` config in the units the bus uses (ms and bytes). */
export function eventLimitsOf(config: EventConfig): { maxAgeMs: number; maxBytes: number; maxDeliver: number; backoffMs: number[]; ackWaitMs: number } {
  const [, age, ageUnit] = DURATION.exec(config.maxAge)!;
  const [, size, sizeUnit] = SIZE.exec(config.maxBytes)!;
  return {
    maxAgeMs: Number(age) * UNIT_MS[ageUnit as keyof typeof UNIT_MS],
    maxBytes: Number(size) * UNIT_BYTES[sizeUnit as keyof typeof UNIT_BYTES],
    maxDeliver: config.maxDeliver,
    backoffMs: config.backoffMs,
    ackWaitMs: config.ackWaitMs,
  };
}
