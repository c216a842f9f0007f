// Baseline: a plain `nc.request()` loop, as nats.js users write it.
import { JSONCodec } from "nats";
import { PAYLOAD, emit, runDriver } from "../lib/driver.ts";
import { connectRawNats } from "../lib/raw-nats-connection.ts";

const codec = JSONCodec();
const nc = await connectRawNats("bench-raw-requester");
const body = codec.encode(PAYLOAD);
const result = await runDriver(async () => codec.decode((await nc.request("bench.echo", body, { timeout: 5000 })).data));
emit("RESULT", result);
await nc.close();
process.exit(0);
