// A worker of ctx.offload's pool: runs one exported function of a (compiled) module per task.
import { mapStacksLazily } from "../process/source-maps.mjs";

// A failing work function's stack names its source file and line, as the actor's own do.
mapStacksLazily();
const modules = new Map();

export default async function run({ module, name, args }) {
  let loaded = modules.get(module);
  if (!loaded) {
    loaded = import(module);
    modules.set(module, loaded);
  }
  const fn = (await loaded)[name];
  if (typeof fn !== "function") throw new TypeError(`${module} has no exported function "${name}"`);
  return fn(...args);
}
