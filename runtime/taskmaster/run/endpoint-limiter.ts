import { randomUUID } from "node:crypto";
import type { Logger } from "../../log/index.ts";
import type { LimitStore } from "../store/limit-store.ts";
import type { TracedCall } from "./run-engine.ts";

export interface EndpointLimit {
  concurrency?: number;
  perSecond?: number;
}

export interface EndpointLimiterOptions {
  store: LimitStore;
  /** `actor.endpoint` → its limits across all runs and all taskmaster instances. */
  limits: Record<string, EndpointLimit>;
  log: Logger;
  /** A slot whose holder stops renewing (a killed taskmaster) comes free after this. Default 5000 ms. */
  slotLeaseMs?: number;
}

const POLL_MIN_MS = 5;
const POLL_MAX_MS = 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Holds calls of limited endpoints until the database grants them: a concurrency slot first
 * (held until the call answers), then the rate's next start. The queue of each endpoint is
 * served in order, one grant attempt at a time, so an instance asks the database once per
 * wait instead of once per waiting call; when nothing is free it asks again after a short,
 * growing pause (or, for the rate, exactly when the next start is due). Calls of other
 * endpoints pass straight through.
 */
export class EndpointLimiter {
  private readonly holder = `limiter/${randomUUID()}`;
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly pumping = new Set<string>();
  private readonly held = new Map<string, number[]>();
  private readonly slotLeaseMs: number;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EndpointLimiterOptions) {
    this.slotLeaseMs = options.slotLeaseMs ?? 5000;
  }

  /** Makes the slots and rate rows of every limited endpoint; renews held slots from then on. */
  async start(): Promise<void> {
    for (const [endpoint, limit] of Object.entries(this.options.limits)) await this.options.store.prepare(endpoint, limit);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.slotLeaseMs / 3)));
    this.renewTimer.unref();
  }

  stop(): void {
    clearInterval(this.renewTimer);
  }

  /** `call`, with the limits applied to the endpoints that have them. */
  wrap(call: TracedCall): TracedCall {
    return async (target, input, options, traceId) => {
      const limit = this.options.limits[target];
      if (!limit) return call(target, input, options, traceId);
      const slot = await this.acquire(target, limit);
      try {
        return await call(target, input, options, traceId);
      } finally {
        if (slot !== undefined) await this.release(target, slot);
      }
    };
  }

  private async acquire(endpoint: string, limit: EndpointLimit): Promise<number | undefined> {
    let slot: number | undefined;
    await this.inTurn(endpoint, async () => {
      const { store } = this.options;
      if (limit.concurrency !== undefined) {
        for (let pause = POLL_MIN_MS; (slot = await store.takeSlot(endpoint, this.holder, this.slotLeaseMs)) === undefined; pause = Math.min(POLL_MAX_MS, pause * 2)) await sleep(pause);
        this.held.set(endpoint, [...(this.held.get(endpoint) ?? []), slot]);
      }
      if (limit.perSecond !== undefined) {
        for (let wait = await store.takeStart(endpoint, 1000 / limit.perSecond); wait > 0; wait = await store.takeStart(endpoint, 1000 / limit.perSecond)) await sleep(wait);
      }
    });
    return slot;
  }

  private async release(endpoint: string, slot: number): Promise<void> {
    this.held.set(endpoint, (this.held.get(endpoint) ?? []).filter((s) => s !== slot));
    await this.options.store.releaseSlot(endpoint, slot, this.holder).catch((err: unknown) => {
      // Its lease runs out instead; the slot is free again after slotLeaseMs.
      this.options.log.warn({ err, endpoint, slot }, "limit slot not released");
    });
  }

  /** Runs `grant` for one waiting call of `endpoint` at a time, in arrival order. */
  private async inTurn(endpoint: string, grant: () => Promise<void>): Promise<void> {
    let queue = this.queues.get(endpoint);
    if (!queue) this.queues.set(endpoint, (queue = []));
    if (this.pumping.has(endpoint)) await new Promise<void>((resolve) => queue.push(resolve));
    this.pumping.add(endpoint);
    try {
      await grant();
    } finally {
      const next = queue.shift();
      if (next) next();
      else this.pumping.delete(endpoint);
    }
  }

  private async renew(): Promise<void> {
    if (![...this.held.values()].some((slots) => slots.length)) return;
    await this.options.store.renewSlots(this.holder, this.slotLeaseMs).catch((err: unknown) => this.options.log.warn({ err }, "limit slots not renewed"));
  }
}
