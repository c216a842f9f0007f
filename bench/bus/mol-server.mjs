// Baseline: a Moleculer 0.14 broker with the NATS transporter serving echo.echo.
import Moleculer from "moleculer";

const broker = new Moleculer.ServiceBroker({
  nodeID: `echo-server-${process.pid}`,
  transporter: process.env.NATS_URL,
  logger: { type: "Console", options: { level: "warn" } },
});
broker.createService({ name: "echo", actions: { echo: (ctx) => ctx.params } });
await broker.start();
process.stdout.write("READY\n");
