// Baseline (c): moleculer-web in front of a Moleculer broker over NATS; POST /echo -> echo.echo.
import Moleculer from "moleculer";
import ApiGateway from "moleculer-web";

const broker = new Moleculer.ServiceBroker({
  nodeID: `bench-api-${process.pid}`,
  transporter: process.env.NATS_URL,
  // "warn" also silences moleculer-web's per-request info lines.
  logger: { type: "Console", options: { level: "warn" } },
});
const port = Number(process.env.HTTP_PORT);
broker.createService({
  name: "api",
  mixins: [ApiGateway],
  settings: { port, ip: "127.0.0.1", routes: [{ path: "/", mappingPolicy: "restrict", aliases: { "POST /echo": "echo.echo" }, bodyParsers: { json: true } }] },
});
await broker.start();
await broker.waitForServices(["echo"], 15_000);
process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
process.on("SIGTERM", () => void broker.stop().then(() => process.exit(0)));
