import path from "node:path";
import { loadConfig, type ActorPlan } from "../../config/index.ts";
import { ConfigError, NotFoundError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { bundleActor, LocalLauncher } from "../process/index.ts";
import { hubPlans } from "../supervision/builtins.ts";
import { PodHealth } from "./pod-health.ts";
import { podEnv } from "./pod-env.ts";
import { startProbeServer } from "./probe-server.ts";

export interface RunActorPodOptions {
  /** The hub folder (config/fuse.yaml, actors/); in the image, the folder the Dockerfile copies. */
  dir: string;
  actor: string;
  /** Port of /livez and /readyz; 0 picks a free one. */
  probePort: number;
  probeHost?: string;
  /** The pod's environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Each line the actor writes (JSON logs on stdout, anything on stderr). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

/** How the actor process ended, and what `fuse run` exits with. */
export interface PodExit {
  code: number;
  /** Empty after a clean drain; otherwise what went wrong, for the message. */
  reason: string;
}

export interface ActorPod {
  readonly pid: number;
  readonly probePort: number;
  readonly exited: Promise<PodExit>;
  /** Drains: not ready at once, SIGTERM to the actor, SIGKILL after the drain time and a margin. */
  stop(): void;
}

/** Time beyond `drainTimeoutMs` for the actor's stop hook and connection close before it is killed. */
const STOP_MARGIN_MS = 5000;

function findPlan(plans: ActorPlan[], actor: string): ActorPlan {
  const plan = plans.find((p) => p.name === actor);
  if (!plan) {
    const known = plans.filter((p) => p.kind !== "process").map((p) => p.name).sort().join(", ");
    throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `fuse run: no actor "${actor}" in config/fuse.yaml or the actors folder (known: ${known || "none"})`);
  }
  if (plan.kind === "process") {
    throw new ConfigError(`fuse run: "${actor}" is a program from processes:, not an actor; run its command in the container instead`, { location: { key: `processes.${actor}` } });
  }
  return plan;
}

/**
 * Runs one actor in a pod, where no hub supervises it: starts its process as the hub would
 * (the same bundle and process loop, the same fd 3 heartbeats), serves /livez and /readyz from
 * those heartbeats with the hub's busy/hung rule, and ends when the process ends. It never
 * restarts the actor: that is Kubernetes' job, told by a non-zero exit or a failed probe.
 * @throws CONFIG_INVALID for a bad config, no bus URL or an actor that does not compile;
 *   ACTOR_NOT_FOUND for an unknown actor.
 */
export async function runActorPod(options: RunActorPodOptions): Promise<ActorPod> {
  const config = loadConfig(options.dir);
  const plan = findPlan(hubPlans(config, options.dir), options.actor);
  const env = podEnv({ config, plan, hubDir: options.dir, env: options.env ?? process.env });
  const bundle = await bundleActor(plan.name, plan.module, path.join(options.dir, ".fuse", "build"));
  const health = new PodHealth(config.health, Date.now());
  const child = new LocalLauncher().launch({ label: `${plan.name}#pod`, command: process.execPath, args: [bundle], env, cwd: options.dir });
  child.onStatus((line) => health.observe(line, Date.now()));
  const stderrTail: string[] = [];
  child.onOutput((line, stream) => {
    if (stream === "stderr" && line.trim()) {
      stderrTail.push(line);
      if (stderrTail.length > 3) stderrTail.shift();
    }
    options.onLine?.(line, stream);
  });
  let probes;
  try {
    probes = await startProbeServer({ port: options.probePort, host: options.probeHost, live: () => health.live(Date.now()), ready: () => health.readiness(Date.now()) });
  } catch (error) {
    child.kill("SIGKILL");
    throw new ConfigError(`fuse run ${plan.name}: cannot serve the probes on port ${options.probePort}: ${(error as Error).message}`, { cause: error });
  }
  let stopping = false;
  let forced = false;
  let killTimer: NodeJS.Timeout | undefined;
  const exited = child.exited.then(async (exit): Promise<PodExit> => {
    clearTimeout(killTimer);
    await probes.close();
    if (stopping && !forced && exit.code === 0) return { code: 0, reason: "" };
    const how = forced ? `did not drain within ${config.drainTimeoutMs + STOP_MARGIN_MS} ms and was killed` : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}${stopping ? "" : " without being asked to"}`;
    const why = health.fatalReason ?? stderrTail.join(" | ");
    return { code: exit.code && exit.code > 0 ? exit.code : 1, reason: `actor "${plan.name}" ${how}${why ? `: ${why}` : ""}` };
  });
  return {
    pid: child.pid,
    probePort: probes.port,
    exited,
    stop() {
      if (stopping) return;
      stopping = true;
      health.startDraining();
      child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        forced = true;
        child.kill("SIGKILL");
      }, config.drainTimeoutMs + STOP_MARGIN_MS);
    },
  };
}
