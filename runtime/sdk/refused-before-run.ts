// Errors an instance raises about a request before any handler runs for it. Its reply then says
// so (`Fuse-Not-Run`), and the caller may send the request again. A mark on the error object,
// not a field of it: an error that crosses the bus arrives as a new object, so one a handler
// rethrows (having got it from a call of its own) is never marked, and that handler did run.
const refused = new WeakSet<object>();

/** Marks `error` as raised before any handler ran (a keyed instance that no longer owns the key). */
export function refusedBeforeRun<T extends object>(error: T): T {
  refused.add(error);
  return error;
}

export function wasRefusedBeforeRun(error: unknown): boolean {
  return typeof error === "object" && error !== null && refused.has(error);
}
