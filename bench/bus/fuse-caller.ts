// The Fuse side: an actor, run as the hub runs actors, that calls echo.echo with ctx.call
// (the public API) from its start hook and prints the driver's result.
import { defineActor } from "../../runtime/sdk/index.ts";
import { PAYLOAD, emit, runDriver } from "../lib/driver.ts";

export default defineActor({
  name: "bench-caller",
  endpoints: {},
  start: (ctx) => {
    // Not awaited: the process reports itself started, then the load begins.
    void runDriver(() => ctx.call("echo.echo", PAYLOAD)).then((result) => emit("RESULT", result));
  },
});
