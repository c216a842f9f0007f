import type { Logger } from "../../log/index.ts";

/** How long a node waits at start for its cluster's JetStream to have a quorum and answer. */
const QUORUM_WAIT_MS = 120_000;
const RETRY_MS = 500;

/**
 * Runs `attempt` until it succeeds or `waitMs` has passed, then throws its last error. A
 * cluster's JetStream refuses or lets requests time out while it elects its leaders (nodes
 * starting together, a loaded machine), so a node's start retries what it must store rather
 * than dying on the first TIMEOUT.
 */
export async function whileJetStreamSettles<T>(what: string, attempt: () => Promise<T>, log: Logger, waitMs = QUORUM_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      if (tries % 10 === 0) log.info({ err: (err as Error).message, what }, "waiting for the cluster's JetStream");
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
