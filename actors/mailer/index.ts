import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const placed = z.object({ id: z.number().int(), sku: z.string(), qty: z.number().int() });
const mail = z.object({ order: z.number().int(), subject: z.string() });

/**
 * Confirms every order placed at the shop. The event is durable: an order placed while the
 * mailer is down is confirmed when it is back, and one whose handler failed is tried again.
 */
export default defineActor({
  name: "mailer",
  description: "Confirms orders (into an outbox in ctx.kv)",
  events: {
    "order.placed": async (payload, ctx) => {
      const order = placed.parse(payload);
      // Keyed by the order: a redelivered event writes the same mail again, not a second one.
      await ctx.kv.put(`outbox.${order.id}`, { order: order.id, subject: `Order ${order.id}: ${order.qty} × ${order.sku}` });
      ctx.log.info({ order: order.id }, "order confirmed");
    },
  },
  endpoints: {
    outbox: defineEndpoint({
      description: "The confirmations written so far, oldest first",
      input: z.object({}),
      output: z.object({ mails: z.array(mail) }),
      handler: async (_input, ctx) => {
        const keys = await ctx.kv.keys("outbox.*");
        const mails = await Promise.all(keys.map((key) => ctx.kv.get<z.infer<typeof mail>>(key)));
        return { mails: mails.filter((m) => m !== undefined).sort((a, b) => a.order - b.order) };
      },
    }),
  },
});
