import { FuseError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";

export interface ChangeOptions {
  /** How many read-modify-write rounds to try before giving up with CONFLICT. Default 30. */
  attempts?: number;
}

/** What an attempt returns when another writer got in between its read and its write. */
export const LOST_RACE: unique symbol = Symbol("lost race");

const DEFAULT_ATTEMPTS = 30;
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 500;

/**
 * Runs `attempt` until it does not lose a race, pausing between tries for a random time under a
 * window that doubles each round ("full jitter"): writers that collided spread out instead of
 * colliding again in step. After `attempts` lost rounds: CONFLICT (retryable, since the
 * contention may pass), naming what was changed.
 */
export async function retryOnConflict<R>(what: string, details: Record<string, unknown>, attempt: () => Promise<R | typeof LOST_RACE>, options: ChangeOptions = {}): Promise<R> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new ValidationError(`${what}: attempts must be a positive integer, got ${JSON.stringify(attempts)}`);
  for (let round = 0; ; round++) {
    const result = await attempt();
    if (result !== LOST_RACE) return result;
    if (round + 1 >= attempts) {
      throw new FuseError(ErrorCode.CONFLICT, `${what}: other writers changed it first ${attempts} times in a row; gave up`, { details: { ...details, attempts }, retryable: true });
    }
    const window = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** round);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * window));
  }
}
