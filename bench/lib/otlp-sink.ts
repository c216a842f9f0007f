import { createServer } from "node:http";

let sink: Promise<string> | undefined;

/**
 * An OTLP/HTTP traces endpoint that reads each export and answers 200 without keeping it: what
 * the systems with tracing on export to, so their cost is their own and not a collector's.
 * Started once, on a free loopback port; it does not hold the bench process open.
 */
export function otlpSink(): Promise<string> {
  sink ??= new Promise((resolve) => {
    const server = createServer((req, res) => {
      req.on("data", () => undefined);
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces`);
    });
  });
  return sink;
}
