// `npm run bench`: every benchmark, each printing ratios against its baselines measured in
// the same run. BENCH_ONLY=bus,startup runs a subset; `--json` (or BENCH_JSON=1) prints the
// reports as JSON instead of tables; the figures' settings are in bench/lib/settings.ts.
import path from "node:path";
import { BENCH_DIR, stopAll } from "./lib/processes.ts";
import { printMarkdown, printReport, type BenchReport } from "./lib/report.ts";

const BENCHES: { name: string; file: string; exportName: string }[] = [
  { name: "bus", file: "bus.ts", exportName: "runBusBench" },
  { name: "gateway", file: "gateway.ts", exportName: "runGatewayBench" },
  { name: "web", file: "web.ts", exportName: "runWebBench" },
  { name: "startup", file: "startup.ts", exportName: "runStartupBench" },
  { name: "db", file: "db.ts", exportName: "runDbBench" },
  { name: "files", file: "files.ts", exportName: "runFilesBench" },
  { name: "taskmaster", file: "taskmaster.ts", exportName: "runTaskmasterBench" },
  { name: "sse", file: "sse.ts", exportName: "runSseBench" },
  { name: "idempotent", file: "idempotent.ts", exportName: "runIdempotentBench" },
  { name: "keyed", file: "keyed.ts", exportName: "runKeyedBench" },
  { name: "retention", file: "retention.ts", exportName: "runRetentionBench" },
  { name: "cluster", file: "cluster.ts", exportName: "runClusterBench" },
];

const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name));
if (unknown?.length) throw new Error(`BENCH_ONLY: no benchmark ${unknown.join(", ")}; expected some of ${BENCHES.map((b) => b.name).join(", ")}`);
const json = process.argv.includes("--json") || process.env.BENCH_JSON === "1";

// An exit on a signal skips every `finally`: stop what is running first, servers included.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));

const reports: BenchReport[] = [];
try {
  for (const bench of BENCHES.filter((b) => !only || only.includes(b.name))) {
    process.stderr.write(`\n▶ ${bench.name}\n`);
    const mod = (await import(path.join(BENCH_DIR, bench.file))) as Record<string, () => Promise<BenchReport>>;
    const report = await mod[bench.exportName]!();
    reports.push(report);
    if (!json) printReport(report);
  }
} finally {
  await stopAll();
}
if (json) console.log(JSON.stringify(reports, null, 2));
else printMarkdown(reports);
