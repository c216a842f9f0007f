import { AppError, OutcomeUnknownError, defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

const sku = z.string().regex(/^[a-z0-9-]{1,40}$/, "lowercase letters, digits and dashes");
const order = z.object({ id: z.number().int(), sku: z.string(), qty: z.number().int(), created_at: z.number() });
type Order = z.infer<typeof order>;

const stockKey = (item: string) => `stock.${item}`;

/**
 * A small shop: stock counts in ctx.kv, changed atomically; orders in the database; an
 * `order.placed` event per order, kept until every subscriber has handled it.
 */
export default defineActor({
  name: "shop",
  description: "Stock, orders and an event per order",
  endpoints: {
    restock: defineEndpoint({
      description: "Adds items to the stock of a product",
      access: { roles: ["admin"] },
      input: z.object({ sku, qty: z.number().int().min(1).max(1_000_000) }),
      output: z.object({ sku: z.string(), left: z.number().int() }),
      handler: async (input, ctx) => {
        const entry = await ctx.kv.change<number>(stockKey(input.sku), (left = 0) => left + input.qty);
        return { sku: input.sku, left: entry!.value };
      },
    }),
    stock: defineEndpoint({
      description: "How many items of a product are left",
      access: "public",
      input: z.object({ sku }),
      output: z.object({ sku: z.string(), left: z.number().int() }),
      http: { method: "GET", path: "/shop/stock/:sku" },
      handler: async (input, ctx) => ({ sku: input.sku, left: (await ctx.kv.get<number>(stockKey(input.sku))) ?? 0 }),
    }),
    order: defineEndpoint({
      description: "Orders items of a product: takes them from the stock, stores the order and announces it",
      // access is "authenticated" by default: any valid credential (or, on a hub without auth, this machine)
      input: z.object({ sku, qty: z.number().int().min(1).max(100) }),
      output: order,
      errors: { OUT_OF_STOCK: { status: 409, description: "Fewer items left than ordered; details give what is left" } },
      http: { method: "POST", path: "/shop/orders" },
      handler: async (input, ctx) => {
        // Compare-and-set: two orders racing for the last item cannot both take it.
        await ctx.kv.change<number>(stockKey(input.sku), (left = 0) => {
          if (left < input.qty) throw new AppError("OUT_OF_STOCK", `only ${left} of ${input.sku} left`, { details: { sku: input.sku, left } });
          return left - input.qty;
        });
        let placed: Order;
        try {
          [placed] = (await ctx.db.table<Order>("orders").insert({ sku: input.sku, qty: input.qty })) as [Order];
        } catch (error) {
          // Not stored (unless the database cannot say): give the items back before failing.
          if (!(error instanceof OutcomeUnknownError)) await ctx.kv.change<number>(stockKey(input.sku), (left = 0) => left + input.qty);
          throw error;
        }
        // Resolves once the event is stored: the mailer gets it even if it is down right now.
        await ctx.emit("order.placed", placed);
        ctx.log.info({ order: placed.id, sku: placed.sku, qty: placed.qty }, "order placed");
        return placed;
      },
    }),
  },
});
