// The worker of the taskmaster bench: one endpoint that returns its input, as cheap as an
// endpoint gets, so the bench measures the orchestration around it.
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

export default defineActor({
  name: "tmwork",
  endpoints: {
    echo: defineEndpoint({
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      handler: ({ n }) => ({ n }),
    }),
  },
});
