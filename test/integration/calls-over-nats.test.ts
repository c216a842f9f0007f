import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { newTraceId, startActor, type AnyActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import { describeCallBehaviour } from "../shared/call-behaviour.ts";
import { startNats } from "../helpers/index.ts";

describeCallBehaviour("over NATS", async (actors: AnyActor[]) => {
  const nats = await startNats();
  const transports: NatsTransport[] = [];
  const running: RunningActor[] = [];
  const serve = async (actor: AnyActor) => {
    // Each actor gets its own connection, as it would in its own process.
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: actor.name }));
    transports.push(transport);
    running.push(await startActor(actor, { transport, log: createLogger({ actor: actor.name, level: "silent" }) }));
  };
  for (const actor of actors) await serve(actor);
  const clientTransport = new NatsTransport(await connectNats({ url: nats.url, name: "client" }));
  const client = new Caller(clientTransport, "fuse", "test");
  return {
    call: (target, input = {}, options = {}) =>
      client.call({ traceId: options.traceId ?? newTraceId(), deadline: undefined }, target, input, options) as never,
    startLater: serve,
    stop: async () => {
      for (const a of running) await a.stop();
      for (const t of [...transports, clientTransport]) await t.close();
      await nats.stop();
    },
  };
});
