// Two actors that call each other: a type-only import cycle, which TypeScript resolves once
// one side annotates the return type of its calling handler (here `Promise<...>`); without it,
// each actor's type would depend on the other's handler bodies (TS7022).
import { defineActor, defineEndpoint, z } from "../../../runtime/sdk/index.ts";
import type Pong from "./pong.ts";

export default defineActor({
  name: "ping",
  endpoints: {
    ping: defineEndpoint({
      input: z.object({ n: z.number().int() }),
      output: z.object({ rounds: z.number().int() }),
      handler: async ({ n }, ctx): Promise<{ rounds: number }> => {
        if (n === 0) return { rounds: 0 };
        const { rounds } = await ctx.client<typeof Pong>("pong").pong({ n: n - 1 });
        return { rounds: rounds + 1 };
      },
    }),
  },
});
