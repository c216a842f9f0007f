import type { Logger } from "../../log/index.ts";
import type { Clock } from "../run/clock.ts";
import { RunEngine, type TracedCall } from "../run/run-engine.ts";
import { RunLease } from "../run/run-lease.ts";
import { ensureLeaseTables } from "../store/lease-tables.ts";
import { OwnerStore } from "../store/owner-store.ts";
import type { RunStore } from "../store/run-store.ts";
import { WaitStore } from "../store/wait-store.ts";
import { EndpointLimiter, type EndpointLimit } from "../run/endpoint-limiter.ts";
import { LimitStore } from "../store/limit-store.ts";
import type { RunFigures } from "../run/run-figures.ts";

export interface StartRunLeaseOptions {
  store: RunStore;
  clock: Clock;
  log: Logger;
  /** The instance's number among the taskmaster's instances, for a readable owner id. */
  instance: number;
  call: TracedCall;
  leaseMs?: number;
  /** Global limits per `actor.endpoint` (fuse.yaml `taskmaster.limits`). */
  limits?: Record<string, EndpointLimit>;
  /** Where runs' ends and steps' durations are counted (the process's metrics). */
  figures?: RunFigures;
}

/**
 * The run engine of one taskmaster instance among possibly several: it takes a lease, resumes
 * the runs no live instance owns, and records itself as the owner of each run it starts. Calls
 * of endpoints with limits wait for the database's grant (EndpointLimiter).
 */
export async function startRunLease(options: StartRunLeaseOptions): Promise<{ engine: RunEngine; lease: RunLease }> {
  const { store, clock, log } = options;
  await ensureLeaseTables(store.executor);
  let call = options.call;
  if (options.limits && Object.keys(options.limits).length) {
    const limiter = new EndpointLimiter({ store: new LimitStore(store.executor), limits: options.limits, log });
    await limiter.start();
    call = limiter.wrap(call);
  }
  let lease: RunLease | undefined;
  const engine = new RunEngine({ store, clock, log, call, owner: () => lease!.owner, figures: options.figures });
  lease = new RunLease({
    owners: new OwnerStore(store.executor),
    runs: store,
    waits: new WaitStore(store.executor),
    engine,
    clock,
    log,
    label: `taskmaster#${options.instance}`,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
  });
  await lease.start();
  // Ready for events once the runs to resume are back, even when there were none.
  await engine.resume([]);
  return { engine, lease };
}
