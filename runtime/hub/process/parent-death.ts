import { accessSync, constants } from "node:fs";
import path from "node:path";
import { findBinary } from "../servers/find-binary.ts";

let setpriv: string | undefined | null = null;

function runnable(command: string, cwd: string): boolean {
  if (!command.includes("/")) return findBinary(command) !== undefined;
  try {
    accessSync(path.resolve(cwd, command), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The command and arguments that start `command` so that the kernel sends it SIGTERM when the
 * hub dies, however it dies (SIGKILL included): `setpriv --pdeathsig TERM` (util-linux) sets
 * PR_SET_PDEATHSIG and then execs the command, which keeps its pid. Without setpriv (not
 * Linux, a minimal image) the command runs as it is, and `fuse up`/`fuse down` clean up
 * what a killed hub left by the identities in `.fuse/state.json`. A command that cannot be
 * run is left unwrapped too, so that spawning it fails as itself ("cannot start …"), not as
 * setpriv's exit code.
 */
export function withParentDeathSignal(command: string, args: readonly string[], cwd = process.cwd()): { command: string; args: string[] } {
  if (setpriv === null) setpriv = process.platform === "linux" ? findBinary("setpriv") : undefined;
  if (!setpriv || !runnable(command, cwd)) return { command, args: [...args] };
  return { command: setpriv, args: ["--pdeathsig", "TERM", "--", command, ...args] };
}
