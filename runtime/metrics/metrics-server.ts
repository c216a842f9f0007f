import http from "node:http";
import type { AddressInfo } from "node:net";

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on a port of its own (the config's `metrics.port`), for a hub without a
 * gateway or an operator who keeps scrapes off the public port. Anything else is 404.
 */
export function serveMetrics(options: { port: number; host?: string; scrape(): Promise<{ text: string; contentType: string }>; onError?(error: unknown): void }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = req.url?.split("?")[0];
    if (req.method !== "GET" || url !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
      return;
    }
    options.scrape().then(
      ({ text, contentType }) => res.writeHead(200, { "content-type": contentType }).end(text),
      (error: unknown) => {
        options.onError?.(error);
        res.writeHead(503, { "content-type": "text/plain" }).end("metrics could not be gathered\n");
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
