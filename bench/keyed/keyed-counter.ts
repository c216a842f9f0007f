// The keyed counter: the count lives in the key's state, in memory while the key is active;
// each increment is one turn, stored (one revision-checked JetStream KV write) before the reply.
import { defineActor, defineEndpoint, z, type KeyedContext } from "../../runtime/sdk/index.ts";

const state = z.object({ n: z.number().int() });
type Count = z.infer<typeof state>;

export default defineActor({
  name: "kcount",
  keyed: { state, initial: { n: 0 } },
  endpoints: {
    increment: defineEndpoint({
      input: z.object({}),
      output: z.object({ count: z.number() }),
      handler: (_input, ctx: KeyedContext<Count>) => ({ count: ++ctx.state.n }),
    }),
    // A turn that changes nothing: nothing is written, so it measures the keyed path without the store.
    read: defineEndpoint({
      input: z.object({}),
      output: z.object({ count: z.number() }),
      handler: (_input, ctx: KeyedContext<Count>) => ({ count: ctx.state.n }),
    }),
  },
});
