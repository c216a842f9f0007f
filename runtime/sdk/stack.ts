import type { FuseError } from "../errors/index.ts";

// Frames from the runtime and from node_modules say nothing to an actor author.
const FRAMEWORK_FRAME = /[\\/](runtime[\\/](sdk|bus)|node_modules)[\\/]|node:internal|\(<anonymous>\)/;

/**
 * Rewrites an error's stack as seen from the caller: its message, a line marking where it
 * crossed the bus (`at <bus> actor.endpoint (remote actor)`), then the caller's own frames.
 * Called right after an `await`, where V8's async stack traces hold the caller's chain.
 */
export function marksCrossing(error: FuseError, target: string, above: (...args: never[]) => unknown): FuseError {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, above);
  const frames = (holder.stack ?? "")
    .split("\n")
    .slice(1)
    .filter((line) => !FRAMEWORK_FRAME.test(line));
  const origin = error.actor ? `remote actor "${error.actor}"` : "bus";
  const head = `${error.name} [${error.code}]: ${error.message}`;
  error.stack = [head, `    at <bus> ${target} (${origin})`, ...frames].join("\n");
  return error;
}
