import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProbeAnswer } from "./pod-health.ts";

/** The paths Kubernetes probes; the manifests `fuse k8s render` writes use the same. */
export const ProbePath = { live: "/livez", ready: "/readyz" } as const;

/** Where `fuse run` serves the probes unless told otherwise (FUSE_PROBE_PORT, `--probe-port`). */
export const DEFAULT_PROBE_PORT = 8081;

export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the two probes over plain HTTP: 200 or 503 with a JSON body naming the reason.
 * It runs in `fuse run`'s own process, not the actor's, so a busy actor's main loop cannot
 * delay the answer and make a busy pod look dead.
 */
export function startProbeServer(options: { port: number; host?: string; live: () => ProbeAnswer; ready: () => ProbeAnswer }): Promise<ProbeServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const answer = path === ProbePath.live ? options.live() : path === ProbePath.ready ? options.ready() : undefined;
    if (!answer) {
      response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    response.writeHead(answer.ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify({ ok: answer.ok, reason: answer.reason }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
