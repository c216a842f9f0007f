// Baseline: a raw nats.js queue subscriber that echoes the request bytes.
import { connectRawNats } from "../lib/raw-nats-connection.ts";

const nc = await connectRawNats("bench-raw-responder");
nc.subscribe("bench.echo", { queue: "echo", callback: (_err, msg) => msg.respond(msg.data) });
await nc.flush();
process.on("SIGTERM", () => void nc.close().then(() => process.exit(0)));
process.stdout.write("READY\n");
