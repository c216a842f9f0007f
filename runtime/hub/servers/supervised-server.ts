import type { Logger } from "../../log/index.ts";
import { decideRestart, type RestartPolicyOptions } from "../supervision/restart-policy.ts";

/** What the supervisor needs of a running server process. */
export interface ServerHandle {
  url: string;
  pid: number;
  /** Resolves with the exit code (or signal) when the server exits. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

export interface SupervisedServer {
  /** The URL of the first start; every revival listens there again. */
  readonly url: string;
  /** PID of the server running now. */
  pid(): number;
  /** Since when the server is down (epoch ms), or undefined while it runs. */
  downSince(): number | undefined;
  stop(): Promise<void>;
}

export interface SuperviseServerOptions<THandle extends ServerHandle> {
  /** `nats-server`, `sqld`: how log lines name it. */
  name: string;
  /** Starts it the first time (port chosen or configured). */
  start(): Promise<THandle>;
  /** Starts it again on the first start's port and data, so every client keeps its URL. */
  restart(first: THandle): Promise<THandle>;
  log: Logger;
  policy: RestartPolicyOptions;
  /** Called when it died (before the restart) and when a revival runs. */
  onChange?: (event: { type: "down"; at: number; code: number | string } | { type: "up"; pid: number }) => void;
}

/**
 * A server the hub depends on, supervised like an actor: a death is logged, and the server is
 * started again at the same address with the same data after the restart policy's backoff;
 * a crash loop gives up and says so.
 */
export async function superviseServer<THandle extends ServerHandle>(options: SuperviseServerOptions<THandle>): Promise<SupervisedServer> {
  const first = await options.start();
  let current = first;
  let downSince: number | undefined;
  let stopping = false;
  const crashes: number[] = [];
  const revive = async (code: number | string) => {
    const now = Date.now();
    downSince = now;
    crashes.push(now);
    options.onChange?.({ type: "down", at: now, code });
    const decision = decideRestart(crashes, now, options.policy);
    if (decision.action === "give-up") return options.log.error({ server: options.name, code, crashes: decision.crashes }, "server crash loop, not restarted");
    options.log.warn({ server: options.name, code, delayMs: decision.delayMs }, "server exited, restart scheduled");
    await new Promise((r) => setTimeout(r, decision.delayMs));
    if (stopping) return;
    try {
      current = await options.restart(first);
      downSince = undefined;
      options.log.info({ server: options.name, pid: current.pid }, "server restarted");
      options.onChange?.({ type: "up", pid: current.pid });
      watch(current);
    } catch (err) {
      options.log.error({ err, server: options.name }, "server restart failed");
      if (!stopping) void revive(-1);
    }
  };
  const watch = (handle: THandle) => void handle.exited.then((code) => (stopping ? undefined : revive(code)));
  watch(first);
  return {
    url: first.url,
    pid: () => current.pid,
    downSince: () => downSince,
    async stop() {
      stopping = true;
      await current.stop();
    },
  };
}
