import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startNatsServer, type NatsServerHandle } from "../../runtime/hub/servers/nats-server.ts";
import { isAlive } from "./processes.ts";

export interface NatsHarness extends NatsServerHandle {
  dir: string;
}

/** A real nats-server on a free 127.0.0.1 port in a temp folder; stop() kills it by PID and checks. */
export async function startNats(): Promise<NatsHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-nats-"));
  const server = await startNatsServer({ dir });
  return {
    ...server,
    dir,
    async stop() {
      await server.stop();
      if (isAlive(server.pid)) throw new Error(`nats-server ${server.pid} is still alive after stop`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let prefixSeq = 0;
/** A fresh subject prefix per test, for isolation on a shared server. */
export function freshPrefix(): string {
  return `t${process.pid}x${++prefixSeq}`;
}
