import { NotFoundError, UnavailableError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { readLinks } from "../store/run-links.ts";
import type { RunStore } from "../store/run-store.ts";
import { isFinalRun, type RunDetail } from "./run-types.ts";
import type { TaskRun } from "./task-run.ts";

export interface RunEndWatchOptions {
  store: RunStore;
  /** The run when it runs here. */
  live(runId: string): TaskRun | undefined;
  /** Whether a run running here may have links (the others have none to read). */
  linked(runId: string): boolean;
  /** The run as the engine reports it (from memory when it runs here, else from the store). */
  detail(runId: string, options?: { full?: boolean }): Promise<RunDetail>;
}

/** Why the waits in progress are told to stop waiting on the runs here. */
type Interruption = "halted" | "moved";

/** Waits for runs to end: from memory when they run here, else by reading the store (resumed after a restart, or owned elsewhere). */
export class RunEndWatch {
  private halted = false;
  /**
   * The waits in progress, each told when the runs here stop. A set the waits leave, not a
   * long-lived promise they race: each race would leave a reaction on it for good.
   */
  private readonly interrupts = new Set<(why: Interruption) => void>();

  constructor(private readonly options: RunEndWatchOptions) {}

  /**
   * The taskmaster stops: its runs stop where they are and go on at its next start, so every
   * wait answers now (NO_LIVE_INSTANCE, retryable) rather than hold the stop until it times out.
   */
  halt(): void {
    this.halted = true;
    this.interrupt("halted");
  }

  /**
   * The runs here were stopped (the lease was lost) and resume wherever they are claimed next:
   * a wait on one of them follows it there (in memory again, or through the store).
   */
  moved(): void {
    this.interrupt("moved");
  }

  private interrupt(why: Interruption): void {
    for (const tell of [...this.interrupts]) tell(why);
  }

  /** Resolves with why the runs here stopped, "done" once `done` resolves, or `undefined` after `ms`; leaves no timer or listener behind. */
  private async until(ms: number, done?: Promise<unknown>): Promise<Interruption | "done" | undefined> {
    let tell!: (why: Interruption) => void;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<Interruption>((resolve) => this.interrupts.add((tell = resolve))),
        // Real time, not the injected clock: this bounds a reply to a real caller.
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.min(ms, 2 ** 31 - 1)))),
        ...(done ? [done.then(() => "done" as const)] : []),
      ]);
    } finally {
      clearTimeout(timer);
      this.interrupts.delete(tell);
    }
  }

  private stopped(runId: string): UnavailableError {
    return new UnavailableError(`the taskmaster is stopping; run ${runId} goes on when it starts again: ask taskmaster.status, or call again with the same idempotency key`, { details: { runId } });
  }

  /**
   * Waits until the run has ended and its end is stored (or `timeoutMs` passes), and returns it as it is then.
   * @throws NO_LIVE_INSTANCE when the taskmaster stops first.
   */
  async wait(runId: string, timeoutMs: number): Promise<RunDetail> {
    const { store, detail } = this.options;
    if (this.halted) throw this.stopped(runId);
    const deadline = Date.now() + Math.min(timeoutMs, 2 ** 31 - 1);
    const live = this.options.live(runId);
    if (live) {
      // Asked now: the run is no longer listed once its end is written.
      const linked = this.options.linked(runId);
      // `done`, not `ended`: a caller told the run is over may read it from the database at once.
      const outcome = await this.until(timeoutMs, live.done);
      if (outcome === "halted") throw this.stopped(runId);
      if (outcome === "moved") return this.wait(runId, Math.max(0, deadline - Date.now()));
      // As it was written, from memory: reading it back would cost the reply a few round trips.
      // A run without links needs no read at all (a rerun of it, started after its end, shows in `status`).
      if (outcome === "done") return { ...live.detail({ brief: true }), ...(linked ? await readLinks(store.executor, runId) : {}) };
      return detail(runId);
    }
    // Not here (yet): a run being resumed after a restart, or owned by another instance. Read it until it is over.
    for (;;) {
      const stored = await store.get(runId);
      if (this.options.live(runId)) return this.wait(runId, Math.max(0, deadline - Date.now()));
      if (!stored || isFinalRun(stored.status) || Date.now() >= deadline) return detail(runId);
      if ((await this.until(Math.min(500, Math.max(0, deadline - Date.now())))) === "halted") throw this.stopped(runId);
    }
  }

  /** Resolves with a run once it is over: at once from memory when it runs here, else from the store. @throws NOT_FOUND */
  async ended(runId: string): Promise<RunDetail> {
    for (;;) {
      const live = this.options.live(runId);
      if (live) return live.ended;
      const stored = await this.options.store.get(runId);
      if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, `no run with id "${runId}"`);
      if (isFinalRun(stored.status)) return this.options.detail(runId, { full: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
