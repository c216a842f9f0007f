const N = 2_000_000;
function bench(name, fn) { for (let i = 0; i < 200000; i++) fn(i); const t = performance.now(); let x; for (let i = 0; i < N; i++) x = fn(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(3), "µs"); return x; }
const H = { t: "Fuse-Trace-Id", d: "Fuse-Deadline", c: "Fuse-Caller" };
const mkExtra = () => { const h = { "Fuse-Http-Method": "POST", "Fuse-Http-Path": "/api/echo/echo" }; h["Fuse-Http-Content-Type"] = "application/json"; return h; };
bench("spread", (i) => { const extra = mkExtra(); return { ...extra, [H.t]: "abc", [H.d]: String(i), [H.c]: "gateway" }; });
bench("copy loop", (i) => { const extra = mkExtra(); const h = {}; for (const k in extra) h[k] = extra[k]; h[H.t] = "abc"; h[H.d] = String(i); h[H.c] = "gateway"; return h; });
bench("assign", (i) => { const extra = mkExtra(); const h = Object.assign({}, extra); h[H.t] = "abc"; h[H.d] = String(i); h[H.c] = "gateway"; return h; });
bench("mutate", (i) => { const extra = mkExtra(); extra[H.t] = "abc"; extra[H.d] = String(i); extra[H.c] = "gateway"; return extra; });
