// One handler served twice: `stored` keeps its replies by idempotency key, `plain` does not.
// The handler does no work of its own, so what the bench measures is the store's cost.
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const input = z.object({ n: z.number() });
const output = z.object({ n: z.number() });
const handler = ({ n }: { n: number }) => ({ n });

export default defineActor({
  name: "idem",
  endpoints: {
    stored: defineEndpoint({ idempotent: { ttl: 60_000 }, input, output, handler }),
    plain: defineEndpoint({ input, output, handler }),
  },
});
