/**
 * Why every wait of this test file should stop now: a process the harness watches (a hub
 * started by startHub) died while the test needed it. Set by `failWaits`, cleared by the
 * function it returns.
 */
const failures = new Set<Error>();
const listeners = new Set<(error: Error) => void>();

/**
 * Makes every `waitFor` of this test file, running or still to come, fail at once with
 * `error` instead of polling on until its deadline. Returns the function that withdraws it.
 */
export function failWaits(error: Error): () => void {
  failures.add(error);
  for (const listener of listeners) listener(error);
  return () => failures.delete(error);
}

function failed(what: string, cause: Error): Error {
  return new Error(`stopped waiting for ${what}: ${cause.message}`, { cause });
}

/**
 * Listens for `failWaits` (told already, or later): `failure` rejects then, and `error()`
 * says so synchronously. `dispose()` stops listening.
 */
function whenFailed(what: string): { failure: Promise<never>; error(): Error | undefined; dispose(): void } {
  let error: Error | undefined;
  let reject!: (error: Error) => void;
  const failure = new Promise<never>((_, r) => (reject = r));
  failure.catch(() => undefined);
  const abort = (cause: Error) => {
    error ??= failed(what, cause);
    reject(error);
  };
  const [first] = failures;
  if (first) abort(first);
  listeners.add(abort);
  return { failure, error: () => error, dispose: () => listeners.delete(abort) };
}

/** Waits for `promise`, but fails at once when a watched process dies (see `failWaits`). */
export async function unlessFailed<T>(what: string, promise: Promise<T>): Promise<T> {
  const { failure, dispose } = whenFailed(what);
  try {
    return await Promise.race([promise, failure]);
  } finally {
    dispose();
  }
}

/**
 * Polls `probe` until it returns a truthy value (or a promise of one) and returns it; fails
 * with `what` and the last error after `timeoutMs`, and at once when a watched process dies
 * (see `failWaits`). The synchronisation tests use instead of sleeps.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  const { failure, error: died, dispose } = whenFailed(what);
  let timer: NodeJS.Timeout | undefined;
  let last: unknown;
  try {
    for (;;) {
      try {
        const value = await Promise.race([probe(), failure]);
        if (value) return value as NonNullable<T>;
      } catch (error) {
        const death = died();
        if (death) throw death;
        last = error;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
      }
      await Promise.race([new Promise((r) => (timer = setTimeout(r, intervalMs))), failure]);
    }
  } finally {
    clearTimeout(timer);
    dispose();
  }
}
