import type { ErrorBody } from "./envelope.ts";

/**
 * The `taskmaster` actor's endpoints and the run records they return, as seen by its clients
 * (the CLI, the dashboard, any NATS client). Shapes only; the taskmaster implements them.
 */
export const TaskmasterEndpoint = {
  list: "list",
  reload: "reload",
  show: "show",
  run: "run",
  status: "status",
  runs: "runs",
  cancel: "cancel",
  result: "result",
} as const;

export const TASKMASTER_ACTOR = "taskmaster";

export const RUN_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ["pending", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The error a step or run ended with, as it would cross the wire. */
export type RunError = Pick<ErrorBody, "code" | "message" | "details" | "actor">;

export interface StepRecord {
  id: string;
  status: StepStatus;
  /** Calls made so far (a fan-out counts each item's calls). */
  attempts: number;
  startedAt?: number;
  endedAt?: number;
  output?: unknown;
  error?: RunError;
}

export interface RunRecord {
  id: string;
  task: string;
  status: RunStatus;
  input: unknown;
  output?: unknown;
  error?: RunError;
  traceId: string;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
}

/** A run with every step of its task, in the schema's order (steps not reached are `pending`). */
export interface RunDetail extends RunRecord {
  steps: StepRecord[];
}
