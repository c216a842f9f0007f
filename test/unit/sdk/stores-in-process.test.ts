import { createTestHub, type AnyActor } from "../../../runtime/sdk/index.ts";
import { describeStores } from "../../shared/store-behaviour.ts";

describeStores("in-process", async (actors: AnyActor[]) => {
  const hub = await createTestHub(actors, { instances: 2 });
  return { call: (t, i) => hub.call(t, i), callOther: (t, i) => hub.call(t, i), stop: () => hub.stop() };
});
