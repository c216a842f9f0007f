// `npm run bench`: every benchmark, each printing ratios against its baseline measured in
// the same run. BENCH_ONLY=bus,startup runs a subset.
import { existsSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR } from "./lib/processes.ts";

interface BenchModule {
  name: string;
  file: string;
  exportName: string;
}

const BENCHES: BenchModule[] = [
  { name: "bus", file: "bus.ts", exportName: "runBusBench" },
  { name: "startup", file: "startup.ts", exportName: "runStartupBench" },
  { name: "gateway", file: "gateway.ts", exportName: "runGatewayBench" },
  { name: "db", file: "db.ts", exportName: "runDbBench" },
  { name: "taskmaster", file: "taskmaster.ts", exportName: "runTaskmasterBench" },
];

const only = process.env.BENCH_ONLY?.split(",");
const reports: string[] = [];
for (const bench of BENCHES) {
  if (only && !only.includes(bench.name)) continue;
  const file = path.join(BENCH_DIR, bench.file);
  if (!existsSync(file)) continue;
  process.stderr.write(`\n▶ ${bench.name}\n`);
  const mod = (await import(file)) as Record<string, () => Promise<{ rows: object[]; summary: string[] }>>;
  const run = mod[bench.exportName];
  if (!run) throw new Error(`${bench.file} does not export ${bench.exportName}`);
  const { rows, summary } = await run();
  console.table(rows);
  for (const line of summary) console.log(`  ${line}`);
  reports.push(`## ${bench.name}\n${summary.map((l) => `- ${l}`).join("\n")}`);
}
console.log(`\n${reports.join("\n\n")}`);
