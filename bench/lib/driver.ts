// The load loop every bus client runs in its own process, whichever system it measures.
import { settings } from "./settings.ts";
import { summarize } from "./stats.ts";

export interface DriverResult {
  seq_p50_us: number;
  seq_p99_us: number;
  tput_rps: number;
  tput_p50_us: number;
  tput_p99_us: number;
  /** Calls that failed, in any phase; a round with any is reported and left out. */
  errors: number;
  first_error?: string;
}

/**
 * Warm-up, then sequential round trips (latency), then `settings.inflight` concurrent loops
 * for `settings.seconds` (throughput). A failed call is counted and timed nowhere.
 */
export async function runDriver(call: () => Promise<unknown>): Promise<DriverResult> {
  let errors = 0;
  let firstError: string | undefined;
  const timed = async (into?: number[]) => {
    const t = performance.now();
    try {
      await call();
      into?.push((performance.now() - t) * 1000);
    } catch (error) {
      errors++;
      firstError ??= String((error as Error)?.message ?? error);
    }
  };
  for (let i = 0; i < settings.warmup; i++) await timed();
  const seq: number[] = [];
  for (let i = 0; i < settings.sequential; i++) await timed(seq);
  const lat: number[] = [];
  const end = performance.now() + settings.seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) await timed(lat);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: settings.inflight }, loop));
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(seq);
  const t = summarize(lat);
  const result: DriverResult = { seq_p50_us: s.p50_us, seq_p99_us: s.p99_us, tput_rps: Math.round(lat.length / elapsed), tput_p50_us: t.p50_us, tput_p99_us: t.p99_us, errors };
  return firstError ? { ...result, first_error: firstError } : result;
}

/** Prints a line the orchestrator reads. */
export function emit(tag: string, value: unknown): void {
  process.stdout.write(`${tag} ${JSON.stringify(value)}\n`);
}

export const PAYLOAD = { id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true };
