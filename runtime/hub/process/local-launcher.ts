import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { ExitInfo, LaunchSpec, LaunchedProcess, ProcessLauncher } from "./launcher.ts";
import { withParentDeathSignal } from "./parent-death.ts";

function eachLine(stream: Readable, listener: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", listener);
}

/** Runs each process as a local child in its own process group, with a status pipe on fd 3. */
export class LocalLauncher implements ProcessLauncher {
  launch(spec: LaunchSpec): LaunchedProcess {
    // Children die with the hub, however it dies: no orphan keeps a port or a pid.
    const launch = withParentDeathSignal(spec.command, spec.args, spec.cwd);
    const child = spawn(launch.command, launch.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      // Own process group: a Ctrl-C in the terminal reaches the hub only, which then stops
      // its children in order (drain first) instead of all at once.
      detached: true,
    });
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", () => resolve({ code: -1, signal: null }));
    });
    const statusListeners: ((line: unknown) => void)[] = [];
    const outputListeners: ((line: string, stream: "stdout" | "stderr") => void)[] = [];
    child.once("error", (error) => outputListeners.forEach((l) => l(`cannot start ${spec.command}: ${error.message}`, "stderr")));
    eachLine(child.stdio[3] as Readable, (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      for (const l of statusListeners) l(parsed);
    });
    eachLine(child.stdout!, (line) => outputListeners.forEach((l) => l(line, "stdout")));
    eachLine(child.stderr!, (line) => outputListeners.forEach((l) => l(line, "stderr")));
    return {
      pid: child.pid ?? -1,
      exited,
      onStatus: (listener) => statusListeners.push(listener),
      onOutput: (listener) => outputListeners.push(listener),
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
    };
  }
}
