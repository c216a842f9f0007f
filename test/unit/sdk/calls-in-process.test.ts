import { createTestHub, startActor, type AnyActor, type RunningActor } from "../../../runtime/sdk/internal.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { describeCallBehaviour } from "../../shared/call-behaviour.ts";

describeCallBehaviour("in-process", async (actors: AnyActor[]) => {
  const hub = await createTestHub(actors);
  const late: RunningActor[] = [];
  return {
    call: (target, input, options = {}) => hub.call(target, input, options),
    startLater: async (actor) => {
      late.push(await startActor(actor, { transport: hub.transport, log: createLogger({ actor: actor.name, level: "silent" }) }));
    },
    stop: async () => {
      for (const a of late) await a.stop();
      await hub.stop();
    },
  };
});
