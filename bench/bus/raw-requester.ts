// Baseline: a plain `nc.request()` loop, as nats.js users write it (default options).
import { JSONCodec, connect } from "nats";
import { PAYLOAD, driverOptionsFromEnv, emit, runDriver } from "../lib/driver.ts";

const codec = JSONCodec();
const nc = await connect({ servers: process.env.NATS_URL });
const body = codec.encode(PAYLOAD);
const result = await runDriver(async () => codec.decode((await nc.request("bench.echo", body, { timeout: 5000 })).data), driverOptionsFromEnv());
emit("RESULT", result);
await nc.close();
process.exit(0);
