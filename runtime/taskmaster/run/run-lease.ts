import { randomUUID } from "node:crypto";
import type { Logger } from "../../log/index.ts";
import type { OwnerStore } from "../store/owner-store.ts";
import type { RunStore, StoredRun } from "../store/run-store.ts";
import type { WaitStore } from "../store/wait-store.ts";
import type { Clock } from "./clock.ts";
import type { WaitBoard } from "./wait-board.ts";
import { toRunError, type StepOutcome } from "./step-outcome.ts";
import { toFuseError } from "../../errors/index.ts";

/** What the lease needs of the run engine. */
export interface LeasedEngine {
  /** Starts the given runs from their stored state. */
  resume(runs: StoredRun[]): Promise<number>;
  /** Stops every run here without finishing it (whoever claims them next resumes them); the engine goes on. */
  pause(): Promise<void>;
  has(runId: string): boolean;
  cancel(runId: string): Promise<unknown>;
  readonly waitBoard: WaitBoard;
}

export interface RunLeaseOptions {
  owners: OwnerStore;
  runs: RunStore;
  waits: WaitStore;
  engine: LeasedEngine;
  clock: Clock;
  log: Logger;
  /** How long a lease lasts without renewal; a dead instance's runs are taken over after it. Default 5000 ms. */
  leaseMs?: number;
  /** How often the lease is renewed, orphaned runs claimed and other instances' news read. Default leaseMs / 4, at most 1000 ms. */
  tickMs?: number;
  /** A readable start of the instance's id (`taskmaster#0`). */
  label?: string;
}

const CLAIM_BATCH = 500;
/** A lease is given up locally this long before the database would let another instance take it. */
const SAFETY_MS = 500;

/**
 * One taskmaster instance's share of the runs. The instance holds a lease in the database and
 * renews it every tick; it runs the runs it started and those it claimed from instances whose
 * lease ran out. A run has one owner at a time: claiming is one UPDATE. An instance whose
 * lease ran out (a long pause), or that cannot reach the database before its lease would,
 * stops its runs and comes back under a new id. Each tick also brings what other instances
 * did to this one's runs: a signal decided there, an event handed over, a cancel.
 */
export class RunLease {
  private id = "";
  private validUntil = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private lastCancelCheck = 0;
  readonly leaseMs: number;
  private readonly tickMs: number;

  constructor(private readonly options: RunLeaseOptions) {
    this.leaseMs = options.leaseMs ?? 5000;
    this.tickMs = options.tickMs ?? Math.max(100, Math.min(1000, Math.floor(this.leaseMs / 4)));
  }

  /** This instance's owner id, written into the runs it owns. */
  get owner(): string {
    return this.id;
  }

  /** Registers this instance and resumes the runs nobody live owns; then keeps the lease. */
  async start(): Promise<void> {
    await this.register();
    this.lastCancelCheck = this.options.clock.now();
    await this.claim();
    this.schedule();
  }

  /**
   * Stops renewing, lets `beforeRelease` stop the runs here, then gives the lease up so that
   * the runs left unfinished are claimed by another instance at once.
   */
  async stop(beforeRelease?: () => Promise<void>): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.running);
    await beforeRelease?.();
    if (this.id) await this.options.owners.release(this.id).catch(() => undefined);
  }

  private async register(): Promise<void> {
    this.id = `${this.options.label ?? "taskmaster"}/${randomUUID()}`;
    const sentAt = performance.now();
    await this.options.owners.register(this.id, this.leaseMs);
    this.validUntil = sentAt + this.leaseMs - SAFETY_MS;
  }

  // Two loops, each never overlapping itself: the renewal, alone so that slow work never delays
  // it, and the work (claims, other instances' signals, events and cancels).
  private schedule(): void {
    this.loop(() => this.renew().catch((err: unknown) => this.options.log.warn({ err, owner: this.id }, "run lease renewal failed")));
    this.loop(() => this.work());
  }

  private loop(step: () => Promise<void>): void {
    const next = () => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const run: Promise<void> = step().finally(() => {
          this.running.delete(run);
          next();
        });
        this.running.add(run);
      }, this.tickMs);
      timer.unref();
      this.timers.add(timer);
    };
    next();
  }

  private async work(): Promise<void> {
    try {
      await this.claim();
      await this.deliverSignals();
      await this.deliverEvents();
      await this.followCancels();
    } catch (err) {
      this.options.log.warn({ err, owner: this.id }, "run lease work failed");
    }
  }

  private async renew(): Promise<void> {
    const sentAt = performance.now();
    // A renewal the database accepts proves nobody took the runs (a claim needs the lease run
    // out), however late it comes; the local deadline only matters while the database cannot be reached.
    const held = await this.options.owners.renew(this.id, this.leaseMs).catch(() => undefined);
    if (held) {
      this.validUntil = sentAt + this.leaseMs - SAFETY_MS;
      return;
    }
    if (held === undefined && performance.now() <= this.validUntil) return;
    // Lost: someone may have claimed these runs already. Stop them here, come back as a new owner.
    this.options.log.warn({ owner: this.id, why: held === false ? "ran out" : "database unreachable" }, "run lease lost; runs here stopped, to be claimed again");
    await this.options.engine.pause();
    await this.register();
  }

  private async claim(): Promise<void> {
    for (;;) {
      const ids = await this.options.owners.claim(this.id, CLAIM_BATCH);
      if (!ids.length) return;
      const runs = (await Promise.all(ids.map((id) => this.options.runs.get(id)))).filter((r): r is StoredRun => r !== undefined && !this.options.engine.has(r.id));
      const resumed = await this.options.engine.resume(runs);
      this.options.log.info({ owner: this.id, runs: resumed }, "runs claimed");
      if (ids.length < CLAIM_BATCH) return;
    }
  }

  /** Signals decided by another instance for steps waiting here. */
  private async deliverSignals(): Promise<void> {
    const board = this.options.engine.waitBoard;
    for (const { token, outcome } of await this.options.owners.decidedSignals(this.id)) board.signalled(token)?.settle(outcome);
  }

  /** Events another instance received for steps waiting here: matched here, decided in the store. */
  private async deliverEvents(): Promise<void> {
    const { owners, waits, engine, clock } = this.options;
    const events = await owners.inbox(this.id);
    if (!events.length) return;
    const read: number[] = [];
    for (const event of events) {
      const waiter = engine.waitBoard.waitingFor(event.topic).find((w) => w.runId === event.runId && w.stepId === event.stepId);
      if (!waiter) continue; // not listening yet (a run being resumed): next tick
      read.push(event.id);
      let outcome: StepOutcome | undefined;
      try {
        if (await waiter.matches!(event.payload)) outcome = { status: "succeeded", output: event.payload };
      } catch (error) {
        outcome = { status: "failed", error: toRunError(toFuseError(error)) };
      }
      if (outcome) waiter.settle((await waits.decide(event.runId, event.stepId, "event", outcome, clock.now())).outcome);
    }
    await owners.dropInbox(read);
  }

  /** Runs of this instance that another instance cancelled (it wrote the cancel to the store). */
  private async followCancels(): Promise<void> {
    const { owners, engine, clock } = this.options;
    const since = this.lastCancelCheck - 60_000;
    this.lastCancelCheck = clock.now();
    for (const runId of await owners.cancelled(this.id, since)) if (engine.has(runId)) await engine.cancel(runId);
  }

  /** Hands an event this instance received to the steps awaiting it in runs other instances own. */
  forwardEvent(topic: string, payload: unknown): Promise<number> {
    return this.options.owners.forwardEvent(this.id, topic, payload, this.options.clock.now());
  }
}
