/**
 * The `hub` actor's control endpoints (`<prefix>.hub.<endpoint>`), as seen by its clients: the
 * CLI, the gateway's dashboard and any NATS client. Shapes only; the hub implements them.
 */
export const HubEndpoint = {
  /** `{}` → `{ actors: ActorStatus[] }` */
  list: "list",
  /** `{ name }` → ActorStatus */
  start: "start",
  /** `{ name }` → ActorStatus (drains first) */
  stop: "stop",
  /** `{ name }` → ActorStatus (rolling: one instance at a time) */
  restart: "restart",
  /** `{ name, instances }` → ActorStatus */
  scale: "scale",
  /** `{}` → HubInfo */
  info: "info",
  /** `{ name, lines? }` → `{ lines: string[] }`: the actor's latest JSON log lines */
  logs: "logs",
  /** `{}` → `{ stopping: true }`: stops every actor and the hub */
  shutdown: "shutdown",
  /** `{}` → `{ schedules: ScheduleStatus[] }` */
  schedules: "schedules",
} as const;

export const HUB_ACTOR = "hub";

export type InstanceState = "starting" | "running" | "busy" | "stopping" | "stopped" | "backoff" | "failed";
export type ActorState = "running" | "starting" | "degraded" | "busy" | "stopped" | "failed";

export interface InstanceStatus {
  index: number;
  pid: number | null;
  status: InstanceState;
  restarts: number;
  startedAt: number | null;
  /** Main-loop lag last reported by the instance's watchdog. */
  lagMs: number;
  lastExit?: { code: number | null; signal: string | null; at: number; reason: string };
}

export interface ActorStatus {
  name: string;
  builtin: boolean;
  /** `actor`: a Fuse actor; `process`: another program supervised like one. */
  kind: "actor" | "process";
  /** The module path (actors) or the command (processes). */
  module: string;
  status: ActorState;
  desired: number;
  running: number;
  restarts: number;
  pids: number[];
  /** Ms since the oldest running instance started; null when none runs. */
  uptimeMs: number | null;
  requests: number;
  errors: number;
  meanMs: number;
  instances: InstanceStatus[];
}

export interface ScheduleStatus {
  name: string;
  cron: string;
  /** `call actor.endpoint` or `task name`. */
  target: string;
  /** Epoch ms of the next run; null when there is none. */
  nextRun: number | null;
  lastRun?: { at: number; outcome: "ok" | "failed"; durationMs: number; error?: string };
  runs: number;
  failures: number;
  /** Runs not started because the previous one was still running. */
  skipped: number;
  running: boolean;
}

export interface HubInfo {
  pid: number;
  dir: string;
  prefix: string;
  natsUrl: string;
  dbUrl?: string;
  gatewayUrl?: string;
  startedAt: number;
  version: string;
}

/** `.fuse/state.json`: how other commands find the running hub of a folder. */
export interface HubState extends HubInfo {
  /** PIDs of the servers the hub started (nats-server, sqld), to clean up after a hub that was killed. */
  servicePids: number[];
}

export const STATE_FILE = ".fuse/state.json";
