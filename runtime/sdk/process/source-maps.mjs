// Stack traces of bundled code, mapped back to the sources the bundle was built from, lazily.
// Plain JavaScript: the offload pool's worker (offload-worker.mjs) loads it without a compiler.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Each bundle's source map once read, or null when it has none: by the bundle's path. */
const maps = new Map();

function mapOf(file) {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
    } catch {
      map = null; // Not a bundle, or one built without a map: its frames stay as they are.
    }
    maps.set(file, map);
  }
  return map;
}

/** One frame as V8 writes it, its bundle location replaced by the source's when the bundle has a map. */
function frameText(site) {
  const text = site.toString();
  const name = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (typeof name !== "string" || !name.endsWith(".mjs") || line == null || column == null) return text;
  const file = name.startsWith("file:") ? fileURLToPath(name) : name;
  const entry = mapOf(file)?.findEntry(line - 1, column - 1);
  if (!entry?.originalSource) return text;
  const source = entry.originalSource.startsWith("file:") ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
  return text.replace(`${name}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
}

/**
 * Maps every stack's frames in a bundle (`x.mjs` with its map in `x.mjs.map`) to the source
 * file and line they came from, reading a bundle's map the first time one of its frames is in a
 * stack. Node's --enable-source-maps instead reads and decodes each map as its module loads, at
 * every start, for stacks most processes never print. Leaves a process that maps stacks already
 * (a TypeScript loader, that flag) as it is. The first line stays Node's own (it names a Node
 * error's code: `RangeError [ERR_OUT_OF_RANGE]: …`); each frame is written as V8 writes it.
 */
export function mapStacksLazily() {
  if (process.sourceMapsEnabled) return;
  const nodeDefault = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, sites) => {
    let head;
    try {
      head = typeof nodeDefault === "function" ? nodeDefault(error, []) : Error.prototype.toString.call(error);
    } catch {
      head = "Error";
    }
    return head + sites.map((site) => `\n    at ${frameText(site)}`).join("");
  };
}
