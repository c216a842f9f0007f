import { summarize } from "./stats.ts";

export interface DriverOptions {
  warmup: number;
  sequential: number;
  inflight: number;
  durationMs: number;
}

export interface DriverResult {
  seq_p50_us: number;
  seq_p99_us: number;
  tput_rps: number;
  tput_p50_us: number;
  tput_p99_us: number;
}

export function driverOptionsFromEnv(): DriverOptions {
  return {
    warmup: Number(process.env.BENCH_WARMUP ?? 2000),
    sequential: Number(process.env.BENCH_SEQ ?? 10_000),
    inflight: Number(process.env.BENCH_INFLIGHT ?? 64),
    durationMs: Number(process.env.BENCH_DURATION_MS ?? 5000),
  };
}

/** Sequential round trips (latency), then `inflight` concurrent loops for a while (throughput). */
export async function runDriver(call: () => Promise<unknown>, options: DriverOptions): Promise<DriverResult> {
  for (let i = 0; i < options.warmup; i++) await call();
  const seq: number[] = [];
  for (let i = 0; i < options.sequential; i++) {
    const t = performance.now();
    await call();
    seq.push((performance.now() - t) * 1000);
  }
  const lat: number[] = [];
  let done = 0;
  const end = performance.now() + options.durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await call();
      lat.push((performance.now() - t) * 1000);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.inflight }, loop));
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(seq);
  const t = summarize(lat);
  return { seq_p50_us: s.p50_us, seq_p99_us: s.p99_us, tput_rps: Math.round(done / elapsed), tput_p50_us: t.p50_us, tput_p99_us: t.p99_us };
}

/** Prints a line the orchestrator reads. */
export function emit(tag: string, value: unknown): void {
  process.stdout.write(`${tag} ${JSON.stringify(value)}\n`);
}

export const PAYLOAD = { id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true };
