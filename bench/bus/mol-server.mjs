// Baseline: a Moleculer 0.14 broker with the NATS transporter serving echo.echo.
import Moleculer from "moleculer";
import { molTransporter } from "./mol-transporter.ts";

const broker = new Moleculer.ServiceBroker({
  nodeID: `echo-server-${process.pid}`,
  transporter: molTransporter(),
  logger: { type: "Console", options: { level: "warn" } },
});
broker.createService({ name: "echo", actions: { echo: (ctx) => ctx.params } });
await broker.start();
process.stdout.write("READY\n");
