/**
 * The seam between the supervisor and where processes run: local child processes now,
 * Kubernetes pods later.
 */
export interface LaunchSpec {
  /** `actor#instance`, for messages. */
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface LaunchedProcess {
  readonly pid: number;
  /** JSON status lines the process writes on fd 3 (ready, heartbeat, fatal). */
  onStatus(listener: (line: unknown) => void): void;
  /** Lines of its stdout (JSON logs) and stderr. */
  onOutput(listener: (line: string, stream: "stdout" | "stderr") => void): void;
  readonly exited: Promise<ExitInfo>;
  kill(signal: NodeJS.Signals): void;
}

export interface ProcessLauncher {
  launch(spec: LaunchSpec): LaunchedProcess;
}
