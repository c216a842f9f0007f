import { Command, CommanderError } from "commander";
import { FuseError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { FUSE_VERSION } from "../hub/index.ts";
import { registerActorsCommands } from "./commands/actors.ts";
import { registerAddCommand } from "./commands/add.ts";
import { registerCallCommand } from "./commands/call.ts";
import { registerCheckCommand } from "./commands/check.ts";
import { registerDashboardCommand } from "./commands/dashboard.ts";
import { registerDbCommands } from "./commands/db.ts";
import { registerDownCommand } from "./commands/down.ts";
import { registerEventsCommands } from "./commands/events.ts";
import { registerFilesCommands } from "./commands/files.ts";
import { registerInitCommand } from "./commands/init.ts";
import { registerK8sCommands } from "./commands/k8s.ts";
import { registerKeysCommands } from "./commands/keys.ts";
import { registerLogsCommand } from "./commands/logs.ts";
import { registerNodesCommands } from "./commands/nodes.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerSetupCommand } from "./commands/setup.ts";
import { registerSchedulesCommands } from "./commands/schedules.ts";
import { registerTasksCommands } from "./commands/tasks.ts";
import { registerUpCommand } from "./commands/up.ts";
import { printError } from "./output.ts";

/** Builds the `fuse` program with every command. */
export function createProgram(): Command {
  const program = new Command("fuse")
    .description("Fuse: a hub of actors on a NATS bus")
    .version(FUSE_VERSION, "-V, --version", "print the version of Fuse")
    .option("-C, --dir <dir>", "the hub folder (default: the current folder)")
    .showHelpAfterError();
  registerUpCommand(program);
  registerDownCommand(program);
  registerActorsCommands(program);
  registerNodesCommands(program);
  registerCallCommand(program);
  registerLogsCommand(program);
  registerTasksCommands(program);
  registerSchedulesCommands(program);
  registerInitCommand(program);
  registerAddCommand(program);
  registerFilesCommands(program);
  registerDbCommands(program);
  registerEventsCommands(program);
  registerCheckCommand(program);
  registerDashboardCommand(program);
  registerKeysCommands(program);
  registerRunCommand(program);
  registerK8sCommands(program);
  registerSetupCommand(program);
  return program;
}

/** Runs the CLI; every failure ends with a clear message and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof FuseError) {
      printError(error.code === ErrorCode.VALIDATION_FAILED || error.code === ErrorCode.CONFIG_INVALID ? error.message : `${error.message} [${error.code}]`);
      process.exit(1);
    }
    printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  }
}
