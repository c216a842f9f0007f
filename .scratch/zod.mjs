import { z } from "zod";
const N = 1_000_000;
function bench(name, fn) { for (let i = 0; i < 200000; i++) fn(i); const t = performance.now(); let x; for (let i = 0; i < N; i++) x = fn(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(3), "µs"); return x; }
const payload = z.object({ id: z.number(), user: z.string(), action: z.string(), ts: z.number(), tags: z.array(z.string()), ok: z.boolean() });
const v = { id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true };
const s = JSON.stringify(v);
bench("safeParse", () => payload.safeParse(v));
bench("JSON.parse", () => JSON.parse(s));
bench("JSON.stringify", () => JSON.stringify(v));
