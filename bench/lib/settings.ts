// The knobs the benchmarks share, read from the environment once. The older names
// (BENCH_DURATION_MS for the bus, BENCH_HTTP_S for the gateway) still work, so a script
// written for them keeps its meaning; BENCH_SECONDS wins over both.
const env = process.env;

/** `name` from the environment, or `fallback`; a typo fails here rather than as NaN later. */
export function envNumber(name: string, fallback: number, min = Number.MIN_VALUE): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name}: expected a number of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function measuredSeconds(): number {
  if (env.BENCH_SECONDS) return envNumber("BENCH_SECONDS", 10);
  if (env.BENCH_DURATION_MS) return envNumber("BENCH_DURATION_MS", 10_000) / 1000;
  return envNumber("BENCH_HTTP_S", 10);
}

export const settings = {
  /** Rounds of every system, each round in a rotated order. */
  rounds: Math.round(envNumber("BENCH_ROUNDS", 5, 1)),
  /** How long each system is loaded in a round (after its warm-up). */
  seconds: measuredSeconds(),
  /**
   * Quiet time between two systems, so one system's exiting processes, sockets in TIME_WAIT
   * and the page cache it dirtied weigh on nobody else's measurement.
   */
  pauseMs: envNumber("BENCH_PAUSE_S", 2, 0) * 1000,
  /** Calls or connections in flight in the throughput phases. */
  inflight: Math.round(envNumber("BENCH_INFLIGHT", 64, 1)),
  /** Sequential round trips for the latency phase, and the calls before it that warm up. */
  sequential: Math.round(envNumber("BENCH_SEQ", 10_000, 1)),
  warmup: Math.round(envNumber("BENCH_WARMUP", 2000, 0)),
};
