import { AsyncLocalStorage } from "node:async_hooks";
const N = 2_000_000;
async function f(i) { await null; return i; }
async function bench(name) { for (let i = 0; i < 100000; i++) await f(i); const t = performance.now(); for (let i = 0; i < N; i++) await f(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(3), "µs per async call"); }
await bench("no ALS");
const als = new AsyncLocalStorage();
als.run({ a: 1 }, () => {});
await bench("ALS used once");
await als.run({ a: 1 }, () => bench("inside ALS"));
