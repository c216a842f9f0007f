import { headers as mk } from "nats";
import { MsgHdrsImpl } from "nats/lib/nats-base-client/headers.js";
const N = 1_000_000;
const te = new TextEncoder();
function bench(name, fn) { for (let i = 0; i < 100000; i++) fn(i); const t = performance.now(); let x; for (let i = 0; i < N; i++) x = fn(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(3), "µs"); return x; }
const trace = "0123456789abcdef0123456789abcdef";
bench("nats encode", (i) => { const h = mk(); h.set("Fuse-Trace-Id", trace); h.set("Fuse-Deadline", String(1700000000000 + i)); h.set("Fuse-Caller", "bench-caller"); return h.encode(); });
bench("custom TE", (i) => te.encode(`NATS/1.0\r\nFuse-Trace-Id: ${trace}\r\nFuse-Deadline: ${1700000000000 + i}\r\nFuse-Caller: bench-caller\r\n\r\n`));
bench("custom Buffer.from latin1", (i) => Buffer.from(`NATS/1.0\r\nFuse-Trace-Id: ${trace}\r\nFuse-Deadline: ${1700000000000 + i}\r\nFuse-Caller: bench-caller\r\n\r\n`, "latin1"));
bench("custom Buffer.from utf8", (i) => Buffer.from(`NATS/1.0\r\nFuse-Trace-Id: ${trace}\r\nFuse-Deadline: ${1700000000000 + i}\r\nFuse-Caller: bench-caller\r\n\r\n`));
const raw = te.encode(`NATS/1.0\r\nFuse-Trace-Id: ${trace}\r\nFuse-Deadline: 1700000000000\r\nFuse-Caller: bench-caller\r\n\r\n`);
bench("nats decode+3 gets", () => { const h = MsgHdrsImpl.decode(raw); return [h.get("Fuse-Trace-Id"), h.get("Fuse-Deadline"), h.get("Fuse-Caller"), h.get("Fuse-Idempotency-Key")]; });
const td = new TextDecoder();
function parse(buf) { const s = Buffer.prototype.latin1Slice.call(buf, 0, buf.length); const m = new Map(); let i = s.indexOf("\r\n") + 2; while (i < s.length - 2) { const e = s.indexOf("\r\n", i); const c = s.indexOf(":", i); if (c > 0 && c < e) m.set(s.slice(i, c).toLowerCase(), s.slice(c + 1, e).trim()); i = e + 2; } return m; }
bench("custom decode+gets", () => { const h = parse(raw); return [h.get("fuse-trace-id"), h.get("fuse-deadline"), h.get("fuse-caller"), h.get("fuse-idempotency-key")]; });
const body = JSON.stringify({ id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true });
bench("body TE", () => te.encode(body));
bench("body Buffer.from", () => Buffer.from(body));
