const N = 3_000_000;
function bench(name, fn) { for (let i = 0; i < 200000; i++) fn(i); const t = performance.now(); let x; for (let i = 0; i < N; i++) x = fn(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(3), "µs"); return x; }
const body = Buffer.from(JSON.stringify({ id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true }));
const big = Buffer.concat([Buffer.alloc(1000), body]).subarray(1000);
const td = new TextDecoder(); const tdf = new TextDecoder("utf-8", { fatal: true });
bench("TextDecoder", () => td.decode(big));
bench("TextDecoder fatal", () => tdf.decode(big));
bench("buf.toString", () => big.toString());
bench("utf8Slice", () => big.utf8Slice(0, big.length));
bench("latin1Slice", () => big.latin1Slice(0, big.length));
bench("JSON.parse", () => JSON.parse('{"id":123456,"user":"bench-user-0001","action":"echo","ts":1700000000000,"tags":["alpha","beta","gamma"],"ok":true}'));
