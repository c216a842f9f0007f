import { ConfigError, FuseError, UnavailableError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";

/** When a caller stops calling a failing endpoint for a while: `ctx.call(t, input, { circuit })`, or per actor in the config. */
export interface CircuitOptions {
  /** Share (0–1) of failed calls in the window that opens the circuit. Default 0.5. */
  errorRate?: number;
  /** Share (0–1) of calls that timed out (DEADLINE_EXCEEDED) that opens it on its own. Default: `errorRate`. */
  timeoutRate?: number;
  /** The window the rates are counted over, ms. Default 10 000. */
  windowMs?: number;
  /** Calls in the window before a rate counts at all. Default 10. */
  minRequests?: number;
  /** How long the circuit stays open before it lets probes through, ms. Default 5 000. */
  openMs?: number;
  /** Calls let through while half-open; all must succeed to close it, one failure opens it again. Default 1. */
  probes?: number;
}

export type CircuitState = "closed" | "open" | "half-open";

/** A circuit as `fuse actors ls` shows it. */
export interface CircuitReport {
  target: string;
  state: CircuitState;
  /** Calls refused with CIRCUIT_OPEN since the process started. */
  rejected: number;
  /** Epoch ms it last opened, when it is not closed. */
  openedAt?: number;
}

const DEFAULTS: Required<Omit<CircuitOptions, "timeoutRate">> = { errorRate: 0.5, windowMs: 10_000, minRequests: 10, openMs: 5_000, probes: 1 };
const BUCKETS = 10;

/** Whether an error counts against the target: it failed or timed out, not a refusal the request earned (4xx). */
export function countsAsFailure(error: FuseError): boolean {
  return error.status >= 500;
}

/** @throws CONFIG_INVALID naming the option. */
export function checkCircuitOptions(where: string, options: CircuitOptions): void {
  const rate = (name: "errorRate" | "timeoutRate") => {
    const v = options[name];
    if (v !== undefined && !(typeof v === "number" && v > 0 && v <= 1)) throw new ConfigError(`${where} circuit.${name}: expected a share above 0 and at most 1, got ${JSON.stringify(v)}`);
  };
  rate("errorRate");
  rate("timeoutRate");
  for (const name of ["windowMs", "minRequests", "openMs", "probes"] as const) {
    const v = options[name];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ConfigError(`${where} circuit.${name}: expected a positive integer, got ${JSON.stringify(v)}`);
  }
}

interface Bucket {
  start: number;
  calls: number;
  failures: number;
  timeouts: number;
}

/**
 * One caller's breaker for one target endpoint. Closed, it counts calls, failures and
 * timeouts over a sliding window of ten buckets; past `minRequests` calls, a failure or
 * timeout rate at its threshold opens it. Open, every call fails at once with CIRCUIT_OPEN
 * until `openMs` passed; then `probes` calls go through (half-open): all succeed and it
 * closes, one fails and it opens again. Outcomes of calls let through in an earlier state are
 * ignored, so a slow call from before it opened cannot close it.
 */
export class CircuitBreaker {
  private readonly settings: Required<CircuitOptions>;
  private state: CircuitState = "closed";
  private buckets: Bucket[] = [];
  private openedAt = 0;
  private generation = 0;
  private probesStarted = 0;
  private probesSucceeded = 0;
  private rejected = 0;
  /** Why it last opened, for the refusal's message. */
  private reason = "";

  constructor(
    readonly target: string,
    options: CircuitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    const merged = { ...DEFAULTS, ...options };
    this.settings = { ...merged, timeoutRate: options.timeoutRate ?? merged.errorRate };
  }

  /**
   * Admits a call, returning a token to report its outcome with.
   * @throws CIRCUIT_OPEN (503, retryable) with `details.retryAfterMs` while open, or while
   *   half-open with its probes already out.
   */
  admit(): number {
    if (this.state === "open" && this.now() >= this.openedAt + this.settings.openMs) {
      this.state = "half-open";
      this.generation++;
      this.probesStarted = 0;
      this.probesSucceeded = 0;
    }
    if (this.state === "closed") return this.generation;
    if (this.state === "half-open" && this.probesStarted < this.settings.probes) {
      this.probesStarted++;
      return this.generation;
    }
    this.rejected++;
    const retryAfterMs = Math.max(this.state === "open" ? this.openedAt + this.settings.openMs - this.now() : 0, 100);
    throw new UnavailableError(`circuit to ${this.target} is ${this.state} (${this.reason}); not called, retry after ${retryAfterMs} ms`, {
      code: ErrorCode.CIRCUIT_OPEN,
      details: { target: this.target, state: this.state, retryAfterMs },
    });
  }

  /** Reports how an admitted call ended: `undefined` for success, else its error. */
  settle(token: number, error: FuseError | undefined): void {
    if (token !== this.generation) return;
    const failed = error !== undefined && countsAsFailure(error);
    if (this.state === "half-open") {
      if (failed) this.open("a probe failed");
      else if (++this.probesSucceeded >= this.settings.probes) this.close();
      return;
    }
    const bucket = this.bucket();
    bucket.calls++;
    if (!failed) return;
    if (error!.code === ErrorCode.DEADLINE_EXCEEDED) bucket.timeouts++;
    else bucket.failures++;
    this.checkRates();
  }

  private checkRates(): void {
    let calls = 0;
    let failures = 0;
    let timeouts = 0;
    for (const b of this.buckets) {
      calls += b.calls;
      failures += b.failures;
      timeouts += b.timeouts;
    }
    if (calls < this.settings.minRequests) return;
    const window = `in the last ${this.settings.windowMs} ms`;
    if (timeouts / calls >= this.settings.timeoutRate) this.open(`${timeouts} of ${calls} calls timed out ${window}`);
    else if ((failures + timeouts) / calls >= this.settings.errorRate) this.open(`${failures + timeouts} of ${calls} calls failed ${window}`);
  }

  private bucket(): Bucket {
    const now = this.now();
    const width = Math.max(1, Math.floor(this.settings.windowMs / BUCKETS));
    const start = now - (now % width);
    this.buckets = this.buckets.filter((b) => b.start > now - this.settings.windowMs);
    let last = this.buckets[this.buckets.length - 1];
    if (!last || last.start !== start) {
      last = { start, calls: 0, failures: 0, timeouts: 0 };
      this.buckets.push(last);
    }
    return last;
  }

  private open(reason: string): void {
    this.state = "open";
    this.reason = reason;
    this.openedAt = this.now();
    this.generation++;
  }

  private close(): void {
    this.state = "closed";
    this.buckets = [];
    this.generation++;
  }

  report(): CircuitReport {
    const report: CircuitReport = { target: this.target, state: this.state, rejected: this.rejected };
    if (this.state !== "closed") report.openedAt = this.openedAt;
    return report;
  }
}
