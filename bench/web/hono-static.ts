// Baseline: plain Hono on @hono/node-server serving SITE_DIR with its own serveStatic, as its
// documentation sets it up (one middleware on every path).
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";

const root = process.env.SITE_DIR!;
const app = new Hono();
app.use("/*", serveStatic({ root }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
