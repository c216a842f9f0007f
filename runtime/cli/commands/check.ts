import type { Command } from "commander";
import { checkHub } from "../check/check-hub.ts";
import { formatProblems } from "../check/format-problems.ts";
import { hubDir } from "../hub-dir.ts";
import { print, printJson } from "../output.ts";

export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("check the config, actors, tasks and tables of this folder without starting anything; exits 1 on any problem")
    .option("--json", "print the result as JSON: { ok, checked, problems: [{ kind, file, line, code, message }] }")
    .action(async (options: { json?: boolean }) => {
      const result = await checkHub(hubDir(program));
      if (options.json) printJson(result);
      else for (const line of formatProblems(result)) print(line);
      // exitCode, not exit(): the output is written in full before the process ends.
      if (!result.ok) process.exitCode = 1;
    });
}
