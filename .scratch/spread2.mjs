const N = 3_000_000;
function bench(name, fn) { for (let i = 0; i < 200000; i++) fn(i); const t = performance.now(); let x; for (let i = 0; i < N; i++) x = fn(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(3), "µs"); return x; }
const T = "Fuse-Trace-Id";
bench("spread undefined", (i) => { const headers = undefined; const all = { "content-type": "application/json", ...headers }; all[T] = "abc" + (i & 7); return all; });
bench("assign", (i) => { const headers = undefined; const all = { "content-type": "application/json" }; if (headers) for (const k in headers) all[k] = headers[k]; all[T] = "abc" + (i & 7); return all; });
