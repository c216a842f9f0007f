// The Fuse side: another actor process calling echo.echo with ctx.call, the public API.
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { defineActor, startActor, type ActorContext } from "../../runtime/sdk/index.ts";
import { PAYLOAD, driverOptionsFromEnv, emit, runDriver } from "../lib/driver.ts";

let ctx!: ActorContext;
const caller = defineActor({ name: "bench-caller", endpoints: {}, start: (c) => void (ctx = c) });
const transport = new NatsTransport(await connectNats({ url: process.env.NATS_URL!, name: "bench-caller" }));
const running = await startActor(caller, { transport, log: createLogger({ actor: "bench-caller", level: "warn" }) });
const result = await runDriver(() => ctx.call("echo.echo", PAYLOAD), driverOptionsFromEnv());
emit("RESULT", result);
await running.stop();
await transport.close();
process.exit(0);
