// The Fuse side: an actor, run as the hub runs actors, that calls echo.echo with ctx.call
// (the public API) and prints the driver's result. By default it calls from its start hook.
// With BENCH_DRIVE_IN_HANDLER=1 it calls from inside a request it sends itself, as an actor
// serving a request does; with BENCH_PRINCIPAL_TOKEN that request carries a signed principal,
// which every call made from it then carries on to echo (which verifies it).
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";
import { Header } from "../../runtime/protocol/index.ts";
import { PAYLOAD, emit, runDriver, type DriverResult } from "../lib/driver.ts";

const token = process.env.BENCH_PRINCIPAL_TOKEN;
const inHandler = process.env.BENCH_DRIVE_IN_HANDLER === "1" || token !== undefined;

export default defineActor({
  name: "bench-caller",
  endpoints: {
    drive: defineEndpoint({
      input: z.object({}),
      output: z.unknown(),
      handler: (_input, ctx) => runDriver(() => ctx.call("echo.echo", PAYLOAD)),
    }),
  },
  start: (ctx) => {
    // Not awaited: the process reports itself started, then the load begins.
    if (!inHandler) return void runDriver(() => ctx.call("echo.echo", PAYLOAD)).then((result) => emit("RESULT", result));
    const headers = token ? { [Header.principal]: token } : undefined;
    setImmediate(() => {
      // Retried while this instance's own endpoint is not served yet (the start hook runs first).
      void ctx.relay("bench-caller.drive", "{}", { timeout: 3_600_000, retries: 50, backoffMs: 20, ...(headers ? { headers } : {}) }).then((reply) => {
        const text = new TextDecoder().decode(reply.data);
        const failed = reply.header(Header.serviceErrorCode);
        emit("RESULT", failed ? { errors: 1, first_error: text } : (JSON.parse(text) as DriverResult));
      });
    });
  },
});
