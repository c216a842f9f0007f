/**
 * Time as the taskmaster sees it: timestamps, backoff waits and xstate timers. The system
 * clock in production; tests inject a virtual one.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** Waits `ms` on `clock`; resolves early (without error) when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(id);
      resolve();
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// Node's timers take at most this many ms (about 24.8 days); a longer delay fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Waits until the clock reads `dueAt` (epoch ms), in steps a timer can take, so a wait of
 * months is fine; resolves early (without error) when `signal` aborts.
 */
export async function sleepUntil(clock: Clock, dueAt: number, signal?: AbortSignal): Promise<void> {
  for (let left = dueAt - clock.now(); left > 0 && !signal?.aborted; left = dueAt - clock.now()) {
    await sleep(clock, Math.min(left, MAX_TIMER_MS), signal);
  }
}

/** The clock with timers of any length (chained past Node's limit), for xstate's delayed transitions. */
export function longTimerClock(clock: Clock): Clock {
  return {
    now: () => clock.now(),
    setTimeout(fn, ms) {
      const handle: { id: unknown } = { id: undefined };
      const dueAt = clock.now() + ms;
      const arm = () => {
        const left = dueAt - clock.now();
        handle.id = left > MAX_TIMER_MS ? clock.setTimeout(arm, MAX_TIMER_MS) : clock.setTimeout(fn, Math.max(0, left));
      };
      arm();
      return handle;
    },
    clearTimeout: (handle) => clock.clearTimeout((handle as { id: unknown }).id),
  };
}
