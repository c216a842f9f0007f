import { callEndpoint, type HeaderRecord, type Transport } from "../bus/index.ts";
import {
  DeadlineExceededError,
  FuseError,
  ValidationError,
  toFuseError,
} from "../errors/index.ts";
import { Header, endpointSubject, eventSubject, parseTarget } from "../protocol/index.ts";
import { marksCrossing } from "./stack.ts";

/** Options of `ctx.call`. */
export interface CallOptions {
  /** Ms to wait for a reply, bounded by the caller's own deadline. Default 10 000. */
  timeout?: number;
  /** Further attempts after a retryable error (such as NO_LIVE_INSTANCE). Default 3. */
  retries?: number;
  /** First backoff between attempts, doubled each time. Default 50 ms. */
  backoffMs?: number;
  /** Sent as `Fuse-Idempotency-Key`, the same on every attempt. */
  idempotencyKey?: string;
}

/** What `ctx.tryCall` returns: zod's `safeParse` shape. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: FuseError };

/** The trace a call belongs to. */
export interface CallScope {
  traceId: string;
  deadline: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_BACKOFF_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends calls, fire-and-forget messages and events for one actor (or client) on a transport. */
export class Caller {
  constructor(
    readonly transport: Transport,
    readonly prefix: string,
    /** Sent as `Fuse-Caller`. */
    readonly name: string,
  ) {}

  async call(scope: CallScope, target: string, input: unknown, options: CallOptions = {}): Promise<unknown> {
    const parsed = parseTarget(target);
    if (!parsed) {
      throw new ValidationError(`call target ${JSON.stringify(target)}: expected "actor.endpoint"`);
    }
    const subject = endpointSubject(this.prefix, parsed.actor, parsed.endpoint);
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const deadline = Math.min(Date.now() + timeout, scope.deadline ?? Infinity);
    const retries = options.retries ?? DEFAULT_RETRIES;
    let backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const headers: HeaderRecord = {
      [Header.traceId]: scope.traceId,
      [Header.deadline]: String(deadline),
      [Header.caller]: this.name,
    };
    if (options.idempotencyKey) headers[Header.idempotencyKey] = options.idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - Date.now();
      try {
        if (remaining <= 0) {
          throw new DeadlineExceededError(`deadline passed before ${target} could be called`);
        }
        return await callEndpoint(this.transport, { subject, ...parsed }, input, { headers, timeoutMs: remaining });
      } catch (thrown) {
        const error = toFuseError(thrown);
        if (error.retryable && attempt < retries && deadline - Date.now() > backoff) {
          await sleep(backoff);
          backoff *= 2;
          continue;
        }
        // Re-captured here, after the await, so the stack shows the caller's own frames.
        throw marksCrossing(error, target, this.call);
      }
    }
  }

  /** Publishes a request without waiting for any reply. */
  send(scope: CallScope, target: string, input: unknown): void {
    const parsed = parseTarget(target);
    if (!parsed) throw new ValidationError(`send target ${JSON.stringify(target)}: expected "actor.endpoint"`);
    this.transport.publish(endpointSubject(this.prefix, parsed.actor, parsed.endpoint), JSON.stringify(input ?? {}), {
      [Header.traceId]: scope.traceId,
      [Header.caller]: this.name,
    });
  }

  emit(scope: CallScope, topic: string, payload: unknown): void {
    this.transport.publish(eventSubject(this.prefix, topic), JSON.stringify(payload ?? null), {
      [Header.traceId]: scope.traceId,
      [Header.caller]: this.name,
    });
  }
}
