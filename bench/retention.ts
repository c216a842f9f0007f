// Retention (issue 16 point 10): does the run store stop growing under a steady load of runs?
// 10,000 runs of a 3-step task (every run and step persisted through the run engine, on a real
// sqld started as the hub starts it) make the database folder grow; retention deletes the
// finished ones; another 10,000 runs then reuse the freed pages instead of growing the file.
// Reports the folder's size after each phase. BENCH_ONLY=retention, BENCH_RETENTION_RUNS.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../runtime/log/index.ts";
import { systemClock } from "../runtime/taskmaster/index.ts";
import { RunEngine } from "../runtime/taskmaster/run/run-engine.ts";
import { applyRetention } from "../runtime/taskmaster/run/retention-job.ts";
import { parseTask } from "../runtime/taskmaster/schema/parse-task.ts";
import { openRunStore } from "../runtime/taskmaster/store/open-run-store.ts";
import type { BenchReport } from "./lib/report.ts";
import { startBenchSqld } from "./lib/sqld.ts";

const RUNS = Number(process.env.BENCH_RETENTION_RUNS ?? 10_000);
const IN_FLIGHT = 64;

/** Bytes of the folder's files: the database file(s), the write-ahead log, everything. */
function folderBytes(dir: string, into = { data: 0, wal: 0, total: 0 }): { data: number; wal: number; total: number } {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) folderBytes(full, into);
    else {
      const size = statSync(full).size;
      into.total += size;
      if (entry.name === "data") into.data += size;
      if (entry.name.endsWith("-wal")) into.wal += size;
    }
  }
  return into;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function runRetentionBench(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bench-retention-"));
  const sqld = await startBenchSqld(dir);
  const log = createLogger({ actor: "taskmaster", level: "silent" });
  const store = await openRunStore(sqld.url);
  const task = parseTask(
    {
      name: "three",
      steps: [
        { id: "a", call: "work.echo", input: "{ 'n': $input.n }" },
        { id: "b", call: "work.echo", input: "{ 'n': $steps.a.n + 1, 'note': 'a line of text a step might answer with' }" },
        { id: "c", call: "work.echo", input: "{ 'n': $steps.b.n + 1 }" },
      ],
    },
    { file: "tasks/three.json" },
  );
  const engine = new RunEngine({ store, clock: systemClock, log, call: async (_target, input) => input });
  engine.open();
  const load = async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < RUNS) {
          const run = await engine.start(task, { n: next++ }, { traceId: "bench" });
          await engine.wait(run.id, 60_000);
        }
      }),
    );
  };
  const sizes: Record<string, string | number>[] = [];
  const measure = (phase: string, deleted?: number) => {
    const { data, wal, total } = folderBytes(dir);
    sizes.push({ phase, "database file": mib(data), wal: mib(wal), folder: mib(total), ...(deleted !== undefined ? { deleted } : {}) });
  };
  try {
    measure("empty");
    await load();
    measure(`after ${RUNS} runs`);
    const retain = () => applyRetention({ executor: store.executor, payloads: store.payloads, tasks: () => [task], defaultMs: 0, clock: { ...systemClock, now: () => Date.now() + 1 }, log });
    measure(`after retention`, await retain());
    await load();
    measure(`after ${RUNS} more runs`);
    measure(`after retention again`, await retain());
  } finally {
    await engine.stop();
    store.close();
    await sqld.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { bench: "retention", settings: { runs: RUNS, steps: 3, inFlight: IN_FLIGHT }, systems: sizes, ratios: [], failures: [], notes: ["sqld's folder: its database file ('data'), the write-ahead log, and all; SQLite reuses freed pages, it does not shrink the file without VACUUM"] };
}
