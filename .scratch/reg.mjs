const t = performance.now();
const { register } = await import("tsx/esm/api");
register();
console.log("tsx register ms", (performance.now() - t).toFixed(1));
