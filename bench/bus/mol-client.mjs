// Baseline: a second Moleculer broker calling echo.echo over NATS.
import Moleculer from "moleculer";
import { register } from "tsx/esm/api";

register();
const { PAYLOAD, driverOptionsFromEnv, emit, runDriver } = await import("../lib/driver.ts");
const broker = new Moleculer.ServiceBroker({
  nodeID: `echo-client-${process.pid}`,
  transporter: process.env.NATS_URL,
  logger: { type: "Console", options: { level: "warn" } },
});
await broker.start();
await broker.waitForServices(["echo"], 15000);
const result = await runDriver(() => broker.call("echo.echo", PAYLOAD), driverOptionsFromEnv());
emit("RESULT", result);
await broker.stop();
process.exit(0);
