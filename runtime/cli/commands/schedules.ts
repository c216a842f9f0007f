import type { Command } from "commander";
import { hubContract } from "../../protocol/index.ts";
import { callContract, withHub } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, formatDuration, print, printJson, table } from "../output.ts";

function ago(at: number | null | undefined, now: number): string {
  return at ? `${formatDuration(Math.max(0, now - at))} ago` : "-";
}

/** A next run already due (the scheduler is about to fire it, or is late under load) is "now", never "ago". */
function next(at: number | null | undefined, now: number): string {
  if (!at) return "-";
  return at > now ? `in ${formatDuration(at - now)}` : "now";
}

export function registerSchedulesCommands(program: Command): void {
  const schedules = program.command("schedules").description("the hub's cron schedules");
  schedules
    .command("ls")
    .description("list schedules: next run, last run and its outcome, runs, failures, skipped overruns")
    .option("--json", "print a JSON array")
    .action(async (options: { json?: boolean }) => {
      const { schedules: list } = await withHub(hubDir(program), (call) => callContract(call, hubContract, "schedules", {}));
      if (options.json) return printJson(list);
      const now = Date.now();
      const rows = list.map((s) => [
        s.name,
        s.cron,
        s.target,
        next(s.nextRun, now),
        s.lastRun ? `${s.lastRun.outcome === "ok" ? colour.green("ok") : colour.red("failed")} ${ago(s.lastRun.at, now)}` : "-",
        String(s.runs),
        s.failures ? colour.red(String(s.failures)) : "0",
        String(s.skipped),
      ]);
      print(table(["SCHEDULE", "CRON", "TARGET", "NEXT", "LAST", "RUNS", "FAILED", "SKIPPED"], rows));
    });
}
