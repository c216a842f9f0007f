// Baseline (a): plain Hono on @hono/node-server answering POST /echo itself.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("/echo", async (c) => c.json(await c.req.json()));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
