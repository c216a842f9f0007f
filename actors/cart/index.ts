import { AppError, defineActor, defineEndpoint, z, type KeyedContext } from "../../runtime/sdk/index.ts";

const sku = z.string().regex(/^[a-z0-9-]{1,40}$/, "lowercase letters, digits and dashes");
const line = z.object({ sku: z.string(), qty: z.number().int().min(1) });
const state = z.object({
  items: z.array(line),
  /** Epoch ms of the last change; 0 for a cart never used. */
  updatedAt: z.number(),
  /** How many times the cart was emptied for being left alone. */
  abandoned: z.number().int(),
});
type Cart = z.infer<typeof state>;
const view = state.extend({ cart: z.string(), version: z.number().int() });

/** A cart untouched this long is emptied (its reminder fires on whichever instance owns it then). */
const ABANDON_MS = Number(process.env.CART_ABANDON_MS ?? 30 * 60_000);

const MAX_LINES = 50;

function show(ctx: KeyedContext<Cart>, version = ctx.version) {
  return { cart: ctx.key, version, ...ctx.state };
}

/** After a change: the reply shows the version this turn stores, and the abandon timer starts again. */
function changed(ctx: KeyedContext<Cart>) {
  ctx.state.updatedAt = Date.now();
  if (ctx.state.items.length) ctx.remind("abandon", { in: ABANDON_MS });
  else ctx.forget("abandon");
  return show(ctx, ctx.version + 1);
}

/**
 * A shopping cart per key (a user or session id): a keyed actor, so each cart's requests run
 * one at a time on the instance that owns it, its state is kept in memory while in use and
 * stored before every reply, and a durable reminder empties a cart left alone.
 * HTTP: POST /api/cart/<cart>/add | remove | view.
 */
export default defineActor({
  name: "cart",
  description: "Shopping carts, one per key, emptied when abandoned",
  keyed: {
    state,
    initial: { items: [], updatedAt: 0, abandoned: 0 },
    reminders: {
      abandon: (_reminder, ctx) => {
        ctx.log.info({ cart: ctx.key, lines: ctx.state.items.length }, "abandoned cart emptied");
        ctx.state.items = [];
        ctx.state.abandoned++;
      },
    },
  },
  endpoints: {
    add: defineEndpoint({
      description: "Adds items of a product to the cart",
      input: z.object({ sku, qty: z.number().int().min(1).max(100).default(1) }),
      output: view,
      errors: { CART_FULL: { status: 409, description: `A cart holds at most ${MAX_LINES} products` } },
      handler: (input, ctx: KeyedContext<Cart>) => {
        const found = ctx.state.items.find((l) => l.sku === input.sku);
        if (found) found.qty += input.qty;
        else if (ctx.state.items.length >= MAX_LINES) throw new AppError("CART_FULL", `cart ${ctx.key} already holds ${MAX_LINES} products`);
        else ctx.state.items.push({ sku: input.sku, qty: input.qty });
        return changed(ctx);
      },
    }),
    remove: defineEndpoint({
      description: "Takes items of a product out of the cart (all of them without qty)",
      input: z.object({ sku, qty: z.number().int().min(1).optional() }),
      output: view,
      handler: (input, ctx: KeyedContext<Cart>) => {
        const found = ctx.state.items.find((l) => l.sku === input.sku);
        if (!found) return show(ctx);
        found.qty -= input.qty ?? found.qty;
        ctx.state.items = ctx.state.items.filter((l) => l.qty > 0);
        return changed(ctx);
      },
    }),
    view: defineEndpoint({
      description: "The cart's items",
      input: z.object({}),
      output: view,
      handler: (_input, ctx: KeyedContext<Cart>) => show(ctx),
    }),
  },
});
