import { findBinary } from "../servers/find-binary.ts";

let setpriv: string | undefined | null = null;

/**
 * The command and arguments that start `command` so that the kernel sends it SIGTERM when the
 * hub dies, however it dies (SIGKILL included): `setpriv --pdeathsig TERM` (util-linux) sets
 * PR_SET_PDEATHSIG and then execs the command, which keeps its pid. Without setpriv (not
 * Linux, a minimal image) the command runs as it is, and `fuse up`/`fuse down` clean up
 * what a killed hub left by the identities in `.fuse/state.json`.
 */
export function withParentDeathSignal(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (setpriv === null) setpriv = process.platform === "linux" ? findBinary("setpriv") : undefined;
  if (!setpriv) return { command, args: [...args] };
  return { command: setpriv, args: ["--pdeathsig", "TERM", "--", command, ...args] };
}
