// HTTP load from its own process: autocannon with CONNECTIONS connections, POST url with the
// bench payload, after a warm-up. Percentiles come from per-response float-ms times
// (autocannon's own histogram is in whole ms, too coarse on loopback).
import autocannon from "autocannon";

const url = process.env.LOAD_URL;
const connections = Number(process.env.CONNECTIONS ?? 64);
const duration = Number(process.env.DURATION_S ?? 5);
const warmup = Number(process.env.WARMUP_S ?? 1);
const PAYLOAD = { id: 123456, user: "bench-user-0001", action: "echo", ts: 1700000000000, tags: ["alpha", "beta", "gamma"], ok: true };
// LOAD_HEADERS: JSON of headers sent with every request (a credential).
const extra = process.env.LOAD_HEADERS ? JSON.parse(process.env.LOAD_HEADERS) : {};
const base = { url, method: "POST", connections, headers: { "content-type": "application/json", ...extra }, body: JSON.stringify(PAYLOAD) };

const check = await fetch(url, { method: "POST", headers: base.headers, body: base.body });
const echoed = await check.text();
if (check.status !== 200 || JSON.stringify(JSON.parse(echoed)) !== JSON.stringify(PAYLOAD)) throw new Error(`bad echo ${check.status}: ${echoed}`);

function run(options, collect) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve({ result, latencies })));
    if (collect) instance.on("response", (_client, status, _bytes, ms) => status === 200 && latencies.push(ms * 1000));
  });
}

const warm = warmup > 0 ? (await run({ ...base, duration: warmup }, false)).result : { non2xx: 0, errors: 0 };
const { result, latencies } = await run({ ...base, duration }, true);
const sorted = Float64Array.from(latencies).sort();
const at = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN);
// A failure in the warm-up counts too: the round is reported failed either way.
const row = { rps: Math.round(result.requests.total / result.duration), p50_us: at(50), p99_us: at(99), non2xx: warm.non2xx + result.non2xx, errors: warm.errors + result.errors };
process.stdout.write(`RESULT ${JSON.stringify(row)}\n`);
process.exit(0);
