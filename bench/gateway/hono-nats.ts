// Baseline (b): a minimal Hono route doing one raw nats.js request to a raw responder.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { connectRawNats } from "../lib/raw-nats-connection.ts";

const nc = await connectRawNats("bench-hono-nats");
const app = new Hono();
app.post("/echo", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  const reply = await nc.request("bench.echo", body, { timeout: 5000 });
  return c.body(reply.data as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/json" });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`));
process.on("SIGTERM", () => server.close(() => void nc.close().then(() => process.exit(0))));
