import type { Command } from "commander";
import { DEFAULT_PROBE_PORT, runActorPod } from "../../hub/index.ts";
import { ValidationError } from "../../errors/index.ts";
import { ProcessEnv } from "../../protocol/index.ts";
import { printError } from "../output.ts";
import { hubDir } from "../hub-dir.ts";

function probePort(flag: string | undefined): number {
  const text = flag ?? process.env[ProcessEnv.probePort];
  if (text === undefined) return DEFAULT_PROBE_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError(`${flag === undefined ? ProcessEnv.probePort : "--probe-port"}: expected a port number, got ${JSON.stringify(text)}`);
  }
  return port;
}

export function registerRunCommand(program: Command): void {
  program
    .command("run <actor>")
    .description("run one actor process without a hub (in a pod): bus from the environment, probes on /livez and /readyz, drain on SIGTERM")
    .option("-p, --probe-port <port>", `port of /livez and /readyz (default: $${ProcessEnv.probePort} or ${DEFAULT_PROBE_PORT})`)
    .action(async (actor: string, options: { probePort?: string }) => {
      // Signals are taken before the actor starts: a pod deleted while it starts still drains.
      let stopRequested = false;
      let stop = () => {
        stopRequested = true;
      };
      process.on("SIGTERM", () => stop());
      process.on("SIGINT", () => stop());
      const pod = await runActorPod({
        dir: hubDir(program),
        actor,
        probePort: probePort(options.probePort),
        // The actor's JSON log lines go out as they are: the cluster's log collector reads stdout.
        onLine: (line, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`),
      });
      stop = () => pod.stop();
      if (stopRequested) pod.stop();
      process.stderr.write(`${JSON.stringify({ level: 30, time: Date.now(), actor, pid: pod.pid, probePort: pod.probePort, msg: "fuse run started" })}\n`);
      const exit = await pod.exited;
      if (exit.code !== 0) printError(`fuse run ${actor}: ${exit.reason}`);
      process.exit(exit.code);
    });
}
