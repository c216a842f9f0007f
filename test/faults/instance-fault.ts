import { isAlive, waitFor } from "../helpers/index.ts";
import type { FaultHub } from "./fault-hub.ts";
import { postOutcome } from "./http-client.ts";
import { faultUnderLoad, startLoad, type Attempt } from "./load.ts";
import { countLoad, type LoadCounts } from "./report.ts";

export interface InstanceFaultOptions {
  /** An actor running `instances` processes; one of them is hit. */
  actor: string;
  instances: number;
  /** SIGSTOP (a frozen process, replaced as hung) or SIGKILL (a crash, revived). */
  signal: "SIGSTOP" | "SIGKILL";
  /** The endpoint the load calls, and its input. */
  endpoint: string;
  input: unknown;
  clients: number;
  /** The deadline each request gives the gateway, ms. */
  deadlineMs: number;
}

export interface InstanceFaultResult {
  attempts: Attempt[];
  counts: LoadCounts;
  /** The pid that was hit (dead by the end). */
  hit: number;
  inflightAtFault: number;
  faultAt: number;
  /** When the actor was seen running all its instances again, without the one hit. */
  backAt: number;
}

/**
 * Runs an HTTP load on one endpoint of an actor, hits one of its instances with `signal`,
 * waits until the hub has replaced it and 40 more requests succeeded, and counts the load.
 * A stopped process is let go on if the hub did not kill it.
 */
export async function faultOneInstance(f: FaultHub, options: InstanceFaultOptions): Promise<InstanceFaultResult> {
  const url = `${f.hub.state.gatewayUrl}/api/${options.actor}/${options.endpoint}`;
  const request = { deadlineMs: options.deadlineMs, answerMs: options.deadlineMs + 10_000 };
  const load = startLoad({ clients: options.clients, maxPerClient: 1500, maxMs: 40_000, send: () => postOutcome(url, options.input, request) });
  const hit = (await f.hub.actor(options.actor)).pids[0]!;
  try {
    await waitFor("the load flowing", () => load.okSince(0) >= 40);
    const { faultAt, inflightAtFault } = await faultUnderLoad(load, () => process.kill(hit, options.signal));
    const backAt = await waitFor(`${options.actor}'s instance ${hit} replaced`, async () => {
      const a = await f.hub.actor(options.actor);
      return a.status === "running" && a.pids.length === options.instances && !a.pids.includes(hit) ? Date.now() : undefined;
    }, 30_000);
    await waitFor("40 requests answered after the replacement", () => load.okSince(backAt) >= 40, 20_000);
    const attempts = await load.stop();
    return { attempts, counts: countLoad(attempts, faultAt, backAt), hit, inflightAtFault, faultAt, backAt };
  } finally {
    await load.stop();
    if (options.signal === "SIGSTOP" && isAlive(hit)) process.kill(hit, "SIGCONT");
  }
}
