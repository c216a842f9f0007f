// experiment: nats-server cost of unique vs fixed reply subjects, headers vs none
import { connect, headers as mk } from "nats";
const url = process.env.NATS_URL; const mode = process.env.MODE; // "unique" | "fixed"; HDR=1
const useH = process.env.HDR === "1";
const srv = await connect({ servers: url }); const cli = await connect({ servers: url });
const body = new TextEncoder().encode(JSON.stringify({ id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true }));
srv.subscribe("echo", { queue: "q", callback: (_e, m) => { m.respond(m.data); } });
await srv.flush();
let n = 0; const inbox = "_INBOX.abcdefabcdefabcdef.";
const hdr = () => { const h = mk(); h.set("Fuse-Trace-Id", "0123456789abcdef0123456789abcdef"); h.set("Fuse-Deadline", String(Date.now())); h.set("Fuse-Caller", "bench-caller"); return h; };
let seq = 0; const pending = new Map();
cli.subscribe(inbox + "*", { callback: (_e, m) => { const id = mode === "fixed" ? Number(m.headers?.get("Fuse-Id") ?? 0) : Number(m.subject.slice(inbox.length)); n++; send(); } });
function send() { const id = ++seq; cli.publish("echo", body, { reply: mode === "fixed" ? inbox + "0" : inbox + id, headers: useH ? hdr() : undefined }); }
await cli.flush();
const t0 = Date.now(); for (let i = 0; i < 64; i++) send();
await new Promise((r) => setTimeout(r, 5000));
const u = process.cpuUsage();
console.log(`${mode} hdr=${useH} rps ${(n / 5).toFixed(0)} node cpu ${(u.user + u.system) / 1e3}ms`);
process.exit(0);
