const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration as the schemas take it (ms, or text such as "30d", "12h") in ms. */
export function durationMs(value: number | string): number {
  if (typeof value === "number") return value;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new RangeError(`not a duration: ${JSON.stringify(value)} (expected such as "30d", "12h", "90m", "45s" or ms)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
