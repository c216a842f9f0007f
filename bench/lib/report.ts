// What every benchmark hands back, and the two ways it is shown: tables for a person,
// JSON (`--json` or BENCH_JSON=1) for a script.
import type { RatioRow } from "./ratios.ts";

export interface BenchReport {
  bench: string;
  /** How it was measured (rounds, seconds, sizes), printed with the figures. */
  settings: Record<string, string | number>;
  /** Each system's medians. */
  systems: Record<string, string | number>[];
  /** Every ratio the benchmark computes, none left out. */
  ratios: RatioRow[];
  /** Failed runs, each with its reason; they count in no median. */
  failures: string[];
  notes: string[];
}

/** "0.85× (0.80–0.90)": the median ratio and its lowest and highest round. */
export function formatRatio(row: RatioRow): string {
  if (row.rounds === 0) return "n/a";
  const median = `${row.ratio.toFixed(2)}×`;
  return row.rounds < 2 ? median : `${median} (${row.low.toFixed(2)}–${row.high.toFixed(2)})`;
}

/** One row per comparison, one column per metric. */
export function ratioGrid(ratios: RatioRow[]): Record<string, string>[] {
  const grid = new Map<string, Record<string, string>>();
  for (const row of ratios) {
    const line = grid.get(row.comparison) ?? { comparison: row.comparison };
    line[row.metric] = formatRatio(row);
    grid.set(row.comparison, line);
  }
  return [...grid.values()];
}

export function markdownTable(rows: Record<string, string | number>[]): string {
  if (!rows.length) return "";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: (string | number | undefined)[]) => `| ${cells.map((c) => c ?? "").join(" | ")} |`;
  return [line(columns), line(columns.map(() => "---")), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}

export function printReport(report: BenchReport): void {
  const settings = Object.entries(report.settings).map(([k, v]) => `${k}=${v}`).join(", ");
  console.log(`\n${report.bench} (${settings})`);
  console.table(report.systems);
  if (report.ratios.length) {
    console.log("ratios: median over rounds (lowest–highest round); below 1× is better for times and memory, above 1× for rates");
    console.table(ratioGrid(report.ratios));
  }
  for (const note of report.notes) console.log(`  ${note}`);
  const failed = report.failures.length;
  console.log(`  failed runs (left out of every median and ratio): ${failed}`);
  for (const failure of report.failures) console.log(`    ${failure}`);
}

/** The ratio grids of every report as Markdown, for the README. */
export function printMarkdown(reports: BenchReport[]): void {
  for (const report of reports) {
    if (!report.ratios.length) continue;
    console.log(`\n### ${report.bench}\n\n${markdownTable(ratioGrid(report.ratios))}`);
  }
}
