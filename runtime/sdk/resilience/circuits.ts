import { toFuseError, type FuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { CircuitBreaker, checkCircuitOptions, type CircuitOptions, type CircuitReport } from "./circuit-breaker.ts";

/** What `ctx.call` takes besides its own options to survive a failing target. */
export interface GuardOptions {
  circuit?: CircuitOptions | false;
  fallback?: (error: FuseError) => unknown;
}

/**
 * A caller's circuit breakers, one per target endpoint, made on the first call that asks for
 * one (per call, or for every call with the actor's `circuit` in the config). A breaker keeps
 * the options it was made with.
 */
export class Circuits {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    /** The actor's `circuit` from the config: every call gets a breaker unless it says `circuit: false`. */
    private readonly defaults?: CircuitOptions,
    private readonly log?: Logger,
  ) {
    if (defaults) checkCircuitOptions("actor config", defaults);
  }

  /** Whether a call with these options goes through `guard`. */
  guards(options: GuardOptions | undefined): boolean {
    if (options?.fallback) return true;
    return options?.circuit !== false && (options?.circuit !== undefined || this.defaults !== undefined);
  }

  /**
   * Sends through the target's breaker (refused at once with CIRCUIT_OPEN while it is open),
   * and answers with `fallback(error)` instead of any error when a fallback is given.
   */
  async guard(target: string, options: GuardOptions | undefined, send: () => Promise<unknown>): Promise<unknown> {
    try {
      const breaker = options?.circuit === false ? undefined : this.breaker(target, options?.circuit);
      if (!breaker) return await send();
      const token = breaker.admit();
      try {
        const value = await send();
        this.settle(breaker, token, undefined);
        return value;
      } catch (error) {
        this.settle(breaker, token, toFuseError(error));
        throw error;
      }
    } catch (error) {
      if (!options?.fallback) throw error;
      return options.fallback(toFuseError(error));
    }
  }

  private breaker(target: string, options: CircuitOptions | undefined): CircuitBreaker | undefined {
    let breaker = this.breakers.get(target);
    if (!breaker && (options || this.defaults)) {
      if (options) checkCircuitOptions(`call to ${target}:`, options);
      breaker = new CircuitBreaker(target, { ...this.defaults, ...options });
      this.breakers.set(target, breaker);
    }
    return breaker;
  }

  private settle(breaker: CircuitBreaker, token: number, error: FuseError | undefined): void {
    const before = breaker.report().state;
    breaker.settle(token, error);
    const after = breaker.report();
    if (after.state === before) return;
    if (after.state === "open") this.log?.warn({ target: breaker.target, code: error?.code, reason: error?.message }, "circuit opened");
    else if (after.state === "closed") this.log?.info({ target: breaker.target }, "circuit closed");
  }

  /** Every breaker of this caller, for `$SRV.STATS` and `fuse actors ls`. */
  report(): CircuitReport[] {
    return [...this.breakers.values()].map((b) => b.report());
  }
}
