import type { Command } from "commander";
import { ValidationError } from "../../errors/index.ts";
import { newTraceId } from "../../protocol/index.ts";
import { withHub } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, printJson } from "../output.ts";

function parseInput(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`input is not valid JSON: ${(error as Error).message}`);
  }
}

export function registerCallCommand(program: Command): void {
  program
    .command("call <target> [json]")
    .description("call an endpoint (actor.endpoint) with a JSON input and print its output")
    .option("--timeout <ms>", "how long to wait for the reply", "30000")
    .option("--trace-id <id>", "trace id to send (default: a new one)")
    .action(async (target: string, json: string | undefined, options: { timeout: string; traceId?: string }) => {
      const input = parseInput(json);
      const traceId = options.traceId ?? newTraceId();
      process.stderr.write(colour.dim(`trace ${traceId}\n`));
      const output = await withHub(hubDir(program), (call) => call(target, input, { timeoutMs: Number(options.timeout), traceId }));
      printJson(output ?? null);
    });
}
