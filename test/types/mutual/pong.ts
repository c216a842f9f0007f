import { defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import type Ping from "./ping.ts";

export default defineActor({
  name: "pong",
  endpoints: {
    pong: defineEndpoint({
      input: z.object({ n: z.number().int() }),
      output: z.object({ rounds: z.number().int() }),
      handler: async ({ n }, ctx) => {
        if (n === 0) return { rounds: 0 };
        const { rounds } = await ctx.client<typeof Ping>("ping").ping({ n: n - 1 });
        return { rounds: rounds + 1 };
      },
    }),
  },
});
