// Baseline: a second Moleculer broker calling echo.echo over NATS, in the same driver loop
// as the other clients.
import Moleculer from "moleculer";
import { molTransporter } from "./mol-transporter.ts";
import { PAYLOAD, emit, runDriver } from "../lib/driver.ts";

const broker = new Moleculer.ServiceBroker({
  nodeID: `echo-client-${process.pid}`,
  transporter: molTransporter(),
  logger: { type: "Console", options: { level: "warn" } },
});
await broker.start();
await broker.waitForServices(["echo"], 15000);
const result = await runDriver(() => broker.call("echo.echo", PAYLOAD));
emit("RESULT", result);
await broker.stop();
process.exit(0);
