// The Fuse side: an actor whose endpoint validates the payload and returns it.
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const payload = z.object({
  id: z.number(),
  user: z.string(),
  action: z.string(),
  ts: z.number(),
  tags: z.array(z.string()),
  ok: z.boolean(),
});

export default defineActor({
  name: "echo",
  endpoints: {
    echo: defineEndpoint({ input: payload, output: payload, handler: (input) => input }),
  },
});
