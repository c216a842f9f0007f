import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { newTraceId, startActor, type AnyActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import { describeStores } from "../shared/store-behaviour.ts";
import { freshPrefix, startNats } from "../helpers/index.ts";

describeStores("JetStream", async (actors: AnyActor[]) => {
  const nats = await startNats();
  const prefix = freshPrefix();
  const transports: NatsTransport[] = [];
  const running: RunningActor[] = [];
  // Two instances, each on its own connection as in its own process; the two callers
  // reach them through different inboxes.
  for (const actor of actors) {
    for (let instance = 0; instance < 2; instance++) {
      const transport = new NatsTransport(await connectNats({ url: nats.url, name: `${actor.name}#${instance}` }));
      transports.push(transport);
      running.push(await startActor(actor, { transport, prefix, instance, log: createLogger({ actor: actor.name, level: "silent" }) }));
    }
  }
  const clients = await Promise.all([0, 1].map(async () => new NatsTransport(await connectNats({ url: nats.url, name: "client" }))));
  const [a, b] = clients.map((t) => new Caller(t, prefix, "test"));
  const via = (c: Caller) => <T>(target: string, input: unknown = {}) => c.call({ traceId: newTraceId(), deadline: undefined }, target, input, { timeout: 30_000 }) as Promise<T>;
  return {
    call: via(a!),
    callOther: via(b!),
    stop: async () => {
      for (const r of running) await r.stop();
      for (const t of [...transports, ...clients]) await t.close();
      await nats.stop();
    },
  };
});
