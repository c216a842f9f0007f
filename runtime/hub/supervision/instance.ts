import type { InstanceState, InstanceStatus, ReceivedStatusLine } from "../../protocol/index.ts";
import { assessHealth, hangReason, type HealthOptions } from "./health.ts";
import type { ExitInfo, LaunchedProcess } from "../process/index.ts";

export interface InstanceEvents {
  /** The process exited without being asked to. */
  onCrash(instance: Instance, exit: ExitInfo, reason: string): void;
}

/**
 * One process of an actor: its state, heartbeats, and how it ended. Its state changes only
 * through its own methods; the actor group reads it and decides.
 */
export class Instance {
  #state: InstanceState = "stopped";
  #process: LaunchedProcess | undefined;
  #startedAt: number | null = null;
  #restarts: number;
  #lagMs = 0;
  #lastExit: InstanceStatus["lastExit"];
  #serviceId: string | undefined;
  #address: string | undefined;
  private lastHeartbeatAt = 0;
  private readonly crashTimes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  /** Why the next exit happens, when the hub caused it. */
  private killReason: string | undefined;
  private fatal: string | undefined;
  private readonly stderrTail: string[] = [];
  /** Fuse actors report heartbeats; other programs are only watched for their exit, unless they report too. */
  private expectsHeartbeat = true;

  /** `restarts`: how many times this slot was restarted before (a rolling restart carries the count on). */
  constructor(
    readonly actor: string,
    readonly index: number,
    private readonly events: InstanceEvents,
    restarts = 0,
  ) {
    this.#restarts = restarts;
  }

  get state(): InstanceState {
    return this.#state;
  }
  get process(): LaunchedProcess | undefined {
    return this.#process;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get lastExit(): InstanceStatus["lastExit"] {
    return this.#lastExit;
  }
  /** The NATS service id of its process, once ready (receipts name it). */
  get serviceId(): string | undefined {
    return this.#serviceId;
  }

  /** Where its process serves outside the bus, as it said when ready (the gateway's URL). */
  get address(): string | undefined {
    return this.#address;
  }
  /** Whether it runs, busy or not: the states in which it serves requests. */
  get serving(): boolean {
    return this.#state === "running" || this.#state === "busy";
  }

  /** Its process is being prepared (built, configured) and launched. */
  markStarting(): void {
    this.#state = "starting";
  }

  /** Preparing its process failed before anything ran: recorded as an exit with the reason. */
  failedToStart(reason: string): ExitInfo {
    this.#lastExit = { code: null, signal: null, at: Date.now(), reason };
    return { code: null, signal: null };
  }

  /** Notes a crash at `now`; returns every crash time so far, for the restart policy. */
  recordCrash(now: number): readonly number[] {
    this.crashTimes.push(now);
    return this.crashTimes;
  }

  /** Crashed too often: stays down until someone starts it again. */
  giveUp(): void {
    this.#state = "failed";
  }

  /** Waits `delayMs`, then counts a restart and calls `revive`, unless it was stopped meanwhile. */
  scheduleRevival(delayMs: number, revive: () => void): void {
    this.#state = "backoff";
    this.restartTimer = setTimeout(() => {
      if (this.#state !== "backoff") return;
      this.#restarts++;
      revive();
    }, delayMs);
  }

  /**
   * Adopts a freshly launched process and resolves once it reports ready on fd 3, or at once
   * with `readyOnSpawn` (programs that know nothing of Fuse).
   */
  attach(process: LaunchedProcess, readyTimeoutMs: number, readyOnSpawn = false): Promise<void> {
    this.#process = process;
    this.#state = "starting";
    this.expectsHeartbeat = !readyOnSpawn;
    this.killReason = undefined;
    this.fatal = undefined;
    this.stderrTail.length = 0;
    this.#lagMs = 0;
    this.lastHeartbeatAt = Date.now();
    process.onOutput((line, stream) => {
      if (stream !== "stderr") return;
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.killReason = `not ready within ${readyTimeoutMs} ms`;
        process.kill("SIGKILL");
      }, readyTimeoutMs);
      process.onStatus((raw) => {
        const line = raw as ReceivedStatusLine;
        if (line.type === "ready") {
          clearTimeout(timer);
          // Loading and compiling the module blocks the main loop; that lag is not busyness.
          this.#lagMs = 0;
          this.lastHeartbeatAt = Date.now();
          this.#state = "running";
          this.#startedAt = Date.now();
          this.#serviceId = line.serviceId;
          this.#address = line.address;
          resolve();
        } else if (line.type === "heartbeat") {
          this.expectsHeartbeat = true;
          this.lastHeartbeatAt = Date.now();
          if (this.#state !== "starting") this.#lagMs = line.lagMs ?? 0;
        } else if (line.type === "fatal") {
          this.fatal = `${line.code}: ${line.message}`;
        }
      });
      void process.exited.then((exit) => {
        clearTimeout(timer);
        if (this.#state === "starting") reject(new Error(this.describeExit(exit)));
      });
      if (readyOnSpawn) {
        clearTimeout(timer);
        this.#state = "running";
        this.#startedAt = Date.now();
        resolve();
      }
    });
    void process.exited.then((exit) => this.onExit(process, exit));
    return ready;
  }

  private onExit(process: LaunchedProcess, exit: ExitInfo): void {
    if (this.#process !== process) return;
    const asked = this.#state === "stopping";
    const reason = this.describeExit(exit);
    this.#lastExit = { code: exit.code, signal: exit.signal, at: Date.now(), reason };
    this.#process = undefined;
    this.#startedAt = null;
    if (asked) {
      this.#state = "stopped";
      return;
    }
    this.events.onCrash(this, exit, reason);
  }

  describeExit(exit: ExitInfo): string {
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const why = this.killReason ?? this.fatal ?? this.stderrTail.filter((l) => l.trim()).slice(-3).join(" | ");
    return why ? `${how}: ${why}` : how;
  }

  /** Heartbeat check; kills a hung process so that it is revived. */
  checkHealth(now: number, options: HealthOptions): void {
    if (!this.#process || !this.expectsHeartbeat || !this.serving) return;
    const health = assessHealth(this.lastHeartbeatAt, this.#lagMs, now, options);
    if (health === "hung") {
      this.killReason = hangReason(this.lastHeartbeatAt, this.#lagMs, now, options);
      this.#process.kill("SIGKILL");
      return;
    }
    this.#state = health === "busy" ? "busy" : "running";
  }

  /** Asks the process to drain and exit; kills it after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    clearTimeout(this.restartTimer);
    const process = this.#process;
    if (!process) {
      this.#state = "stopped";
      return;
    }
    this.#state = "stopping";
    process.kill("SIGTERM");
    const forced = setTimeout(() => process.kill("SIGKILL"), graceMs);
    await process.exited;
    clearTimeout(forced);
    this.#state = "stopped";
  }

  status(): InstanceStatus {
    const status: InstanceStatus = {
      index: this.index,
      pid: this.#process?.pid ?? null,
      status: this.#state,
      restarts: this.#restarts,
      startedAt: this.#startedAt,
      lagMs: this.#lagMs,
    };
    if (this.#lastExit) status.lastExit = this.#lastExit;
    return status;
  }
}
