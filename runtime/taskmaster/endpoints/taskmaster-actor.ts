import { taskmasterContract } from "../../protocol/index.ts";
import { ON_DRAIN, WITHOUT_CONTEXT_STORAGE, defineActor, processMetrics, type ActorContext, type InternalActor } from "../../sdk/internal.ts";
import { systemClock, type Clock } from "../run/clock.ts";
import type { RunEngine, TracedCall } from "../run/run-engine.ts";
import { RunSpans } from "../run/run-spans.ts";
import { openRunStore } from "../store/open-run-store.ts";
import type { RunStore } from "../store/run-store.ts";
import { runEndpoints } from "./run-endpoints.ts";
import { taskEndpoints } from "./task-endpoints.ts";
import { TaskRegistry } from "./task-registry.ts";
import { loadTasks } from "../schema/load-tasks.ts";
import { startTaskmasterUpkeep, type UpkeepOptions } from "./taskmaster-upkeep.ts";
import { startRunLease } from "./start-run-lease.ts";
import type { RunLease } from "../run/run-lease.ts";
import type { EndpointLimit } from "../run/endpoint-limiter.ts";
import { configuredLimits } from "./configured-limits.ts";
import type { RunFigures } from "../run/run-figures.ts";

export interface TaskmasterOptions {
  /** The hub folder; task schemas are read from its `tasks/`. */
  hubDir: string;
  /** libSQL URL of the run store: a sqld `http://` URL, or `file:` in tests. */
  dbUrl: string;
  /** The token the database at dbUrl wants (a cluster's sqld). */
  dbToken?: string | undefined;
  /** Default: the system clock. */
  clock?: Clock;
  /** How often tasks/ is read again and checked against the live actors. Default 10 000 ms. */
  refreshMs?: number;
  /** Retention and payload limits; default: the config's `taskmaster:` (config/fuse.yaml of hubDir). */
  upkeep?: Partial<UpkeepOptions>;
  /** How long a taskmaster instance's lease on its runs lasts unrenewed (another instance takes them over after). Default 5000 ms. */
  leaseMs?: number;
  /** Global limits per endpoint; default: the config's `taskmaster.limits`. */
  limits?: Record<string, EndpointLimit>;
}

/** Reads tasks/ again and refuses steps that call endpoints no live actor serves; logs each new refusal once. */
function createRefresh(registry: TaskRegistry) {
  let lastRefused = "";
  return async (ctx: ActorContext) => {
    const refused = registry.reload();
    const services = await ctx.discover({ timeoutMs: 500 }).catch(() => []);
    const known = new Map<string, Set<string>>();
    for (const s of services) for (const e of s.endpoints) known.set(s.actor, (known.get(s.actor) ?? new Set()).add(e.name));
    refused.push(...registry.refuseUnknownEndpoints(known));
    const signature = refused.map((r) => r.error.message).join("\n");
    if (signature !== lastRefused) for (const { error } of refused) ctx.log.error({ err: error, code: error.code }, "task schema refused");
    lastRefused = signature;
  };
}

/**
 * The process's metrics, looked up at each count: they are made after the actor's `start`,
 * and there are none with metrics off.
 */
const processFigures: RunFigures = {
  taskRunEnded: (task, status, seconds) => processMetrics()?.taskRunEnded(task, status, seconds),
  taskStepEnded: (task, step, seconds) => processMetrics()?.taskStepEnded(task, step, seconds),
};

/**
 * The `taskmaster` actor: serves the task schemas of `tasks/`, runs them as xstate machines
 * that call the steps' endpoints, and persists every run so that it survives a restart.
 */
export function createTaskmasterActor(options: TaskmasterOptions) {
  const registry = new TaskRegistry(options.hubDir);
  const refresh = createRefresh(registry);
  let store: RunStore | undefined;
  let engine: RunEngine | undefined;
  let lease: RunLease | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let stopUpkeep: (() => void) | undefined;

  // At start and then periodically, so that edited files and actors that come later count.
  const start = async (ctx: ActorContext) => {
    await refresh(ctx);
    refreshTimer = setInterval(() => void refresh(ctx).catch((err) => ctx.log.warn({ err }, "task refresh failed")), options.refreshMs ?? 10_000);
    refreshTimer.unref();
    store = await openRunStore(options.dbUrl, options.dbToken);
    const upkeep = startTaskmasterUpkeep(options.hubDir, store, ctx, options.upkeep);
    const clock = options.clock ?? systemClock;
    // Tracing on: a step's call goes under the step's span (the run's trace, not this context's).
    const call: TracedCall = (target, input, { timeoutMs, idempotencyKey }, traceId) => {
      const traceparent = RunSpans.stepParent(idempotencyKey);
      return ctx.call(target, input, { timeout: timeoutMs, idempotencyKey, traceId, ...(traceparent ? { traceparent } : {}) });
    };
    const limits = options.limits ?? configuredLimits(options.hubDir);
    const started = await startRunLease({ store, clock, log: ctx.log, instance: ctx.instance, call, limits, figures: processFigures, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) });
    ({ engine, lease } = started);
    engine.use({ task: (name) => registry.get(name) });
    stopUpkeep = upkeep.retention(() => registry.list(), clock);
    engineStarted(engine);
    ctx.log.info({ tasks: registry.list().length, invalid: registry.invalid().length }, "task schemas loaded");
  };

  // Event subscriptions are made when the actor starts, so the topics that `await` steps wait
  // for are read from tasks/ now; a topic first awaited by a later edit needs a restart.
  const events: Record<string, (payload: unknown) => Promise<void>> = {};
  for (const task of loadTasks(options.hubDir).tasks.values()) {
    for (const topic of task.awaitedEvents) {
      // Acknowledged once every step it completed has its outcome stored; a failure redelivers it.
      // Steps of runs another instance owns get it through the store (RunLease.forwardEvent).
      events[topic] = async (payload) => {
        await (await engineReady).event(topic, payload);
        await lease!.forwardEvent(topic, payload);
      };
    }
  }
  // Its timers, upkeep, lease and runs: at the drain (ON_DRAIN), else at the stop hook.
  let workStopped: Promise<void> | undefined;
  const stopWork = () =>
    (workStopped ??= (async () => {
      clearInterval(refreshTimer);
      stopUpkeep?.();
      if (lease) await lease.stop(async () => engine?.stop());
      else await engine?.stop();
    })());
  let engineStarted!: (engine: RunEngine) => void;
  const engineReady = new Promise<RunEngine>((resolve) => (engineStarted = resolve));

  const actor: InternalActor = defineActor({
    name: taskmasterContract.actor,
    events,
    description: "Runs task schemas (tasks/*.json) as DAGs of actor calls, durably",
    start,
    // Resumed runs start once the endpoints are served: a step may call taskmaster.* itself.
    serving: () => engine?.open(),
    async stop() {
      await stopWork();
      // Runs recorded by starts that were in flight at the first stop: written, to resume later.
      await engine?.stop();
      store?.close();
    },
    endpoints: { ...taskEndpoints({ registry, refresh }), ...runEndpoints({ registry, engine: () => engine! }) },
  });
  // Its runs hand their spans on by hand (RunSpans): no AsyncLocalStorage, no promise hooks.
  actor[WITHOUT_CONTEXT_STORAGE] = true;
  // Runs stop as soon as no request comes in: a `taskmaster.run` caller waiting for a run's
  // end hears NO_LIVE_INSTANCE now (retryable; the run goes on at the next start) instead of
  // holding the stop for the whole drain timeout.
  actor[ON_DRAIN] = stopWork;
  return actor;
}
