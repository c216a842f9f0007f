import type { Logger } from "../../log/index.ts";
import { decideRestart, type RestartPolicyOptions } from "../supervision/restart-policy.ts";
import { startSqld, type SqldHandle } from "./sqld.ts";

export interface SupervisedSqld {
  readonly url: string;
  /** PID of the sqld running now. */
  pid(): number;
  stop(): Promise<void>;
}

/**
 * sqld under supervision, like an actor: when it dies it is started again on the same port
 * and data folder (so every process keeps its URL), with backoff.
 */
export async function startSupervisedSqld(options: {
  dir: string;
  port: number;
  log: Logger;
  restart: RestartPolicyOptions;
  /** Called with the new PID after a revival. */
  onRestart?: (pid: number) => void;
}): Promise<SupervisedSqld> {
  let current: SqldHandle = await startSqld({ dir: options.dir, port: options.port });
  const port = current.port;
  const crashes: number[] = [];
  let stopping = false;
  const watch = (handle: SqldHandle) => {
    void handle.exited.then(async (code) => {
      if (stopping) return;
      crashes.push(Date.now());
      const decision = decideRestart(crashes, Date.now(), options.restart);
      if (decision.action === "give-up") return void options.log.error({ code, crashes: decision.crashes }, "sqld crash loop, not restarted");
      options.log.warn({ code, delayMs: decision.delayMs }, "sqld exited, restart scheduled");
      await new Promise((r) => setTimeout(r, decision.delayMs));
      if (stopping) return;
      try {
        current = await startSqld({ dir: options.dir, port });
        options.log.info({ pid: current.pid }, "sqld restarted");
        options.onRestart?.(current.pid);
        watch(current);
      } catch (err) {
        options.log.error({ err }, "sqld restart failed");
      }
    });
  };
  watch(current);
  return {
    url: current.url,
    pid: () => current.pid,
    async stop() {
      stopping = true;
      await current.stop();
    },
  };
}
