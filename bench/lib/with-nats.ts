import path from "node:path";
import { startNatsServer } from "../../runtime/hub/index.ts";
import { ProcessEnv } from "../../runtime/protocol/index.ts";
import { makeTempDir, removeTempDir, tracked } from "./processes.ts";

export interface NatsBench {
  natsUrl: string;
  /** A temporary folder, removed afterwards. */
  dir: string;
  /** Where bundles are compiled (inside `dir`). */
  buildDir: string;
}

/** Runs `body` with a fresh nats-server (started as the hub starts it) and a temp folder. */
export async function withNatsServer<T>(name: string, body: (bench: NatsBench) => Promise<T>): Promise<T> {
  const dir = makeTempDir(name);
  try {
    const nats = tracked(await startNatsServer({ dir: path.join(dir, "nats") }));
    try {
      return await body({ natsUrl: nats.url, dir, buildDir: path.join(dir, "build") });
    } finally {
      await nats.stop();
    }
  } finally {
    removeTempDir(dir);
  }
}

/** What the hub gives an actor process (here with the status pipe but no hub to read it). */
export function actorEnv(name: string, natsUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [ProcessEnv.actor]: name, [ProcessEnv.natsUrl]: natsUrl, [ProcessEnv.logLevel]: "info", ...extra };
}
