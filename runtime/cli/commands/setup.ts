import type { Command } from "commander";
import { setupHub } from "../../hub/index.ts";
import { ValidationError } from "../../errors/index.ts";
import { colour, print, printJson } from "../output.ts";
import { hubDir } from "../hub-dir.ts";

function replicasOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const replicas = Number(text);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new ValidationError(`--replicas: expected 1 to 5 (the NATS cluster's size, at most 5), got ${JSON.stringify(text)}`);
  return replicas;
}

export function registerSetupCommand(program: Command): void {
  program
    .command("setup")
    .description("make the event stream, every actor's buckets and the tables on an outside bus and database, as fuse up does at start (Kubernetes' set-up Job)")
    .option("--replicas <n>", "copies of the stream and buckets (the NATS cluster's size)")
    .option("--json", "print what was made as JSON")
    .action(async (options: { replicas?: string; json?: boolean }) => {
      const report = await setupHub({ dir: hubDir(program), env: process.env, replicas: replicasOf(options.replicas) });
      if (options.json) return printJson(report);
      print(`${colour.green("✓")} event stream ${report.stream}`);
      print(`${colour.green("✓")} buckets: ${report.buckets.join(", ") || "none"}`);
      print(`${colour.green("✓")} tables: ${report.tables.join(", ") || "none"}`);
    });
}
