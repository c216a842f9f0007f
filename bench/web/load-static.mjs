// Static-file load from its own process: autocannon with CONNECTIONS connections cycling
// through LOAD_PATHS (JSON list) on LOAD_URL, after a warm-up; LOAD_HEADERS (JSON) is sent
// with every request. Each file is fetched once first and checked against its expected size
// (LOAD_SIZES, JSON list, identity encoding), so a server answering something else fails.
import autocannon from "autocannon";

const url = process.env.LOAD_URL;
const paths = JSON.parse(process.env.LOAD_PATHS);
const sizes = JSON.parse(process.env.LOAD_SIZES);
const connections = Number(process.env.CONNECTIONS ?? 64);
const duration = Number(process.env.DURATION_S ?? 5);
const warmup = Number(process.env.WARMUP_S ?? 1);
const headers = process.env.LOAD_HEADERS ? JSON.parse(process.env.LOAD_HEADERS) : {};

for (const [i, p] of paths.entries()) {
  const answer = await fetch(url + p, { headers: { "accept-encoding": "identity" } });
  const bytes = (await answer.arrayBuffer()).byteLength;
  if (answer.status !== 200 || bytes !== sizes[i]) throw new Error(`GET ${p}: ${answer.status}, ${bytes} bytes, expected 200 and ${sizes[i]}`);
}

const base = { url, connections, headers, requests: paths.map((p) => ({ method: "GET", path: p })) };
const run = (options) => new Promise((resolve, reject) => autocannon(options, (err, result) => (err ? reject(err) : resolve(result))));
const warm = warmup > 0 ? await run({ ...base, duration: warmup }) : { non2xx: 0, errors: 0 };
const result = await run({ ...base, duration });
const row = {
  rps: Math.round(result.requests.total / result.duration),
  mbps: +(result.throughput.average / 1e6).toFixed(1),
  p50_us: Math.round(result.latency.p50 * 1000),
  p99_us: Math.round(result.latency.p99 * 1000),
  non2xx: warm.non2xx + result.non2xx,
  errors: warm.errors + result.errors,
};
process.stdout.write(`RESULT ${JSON.stringify(row)}\n`);
process.exit(0);
