// The build record beside each bundle (`<bundle>.inputs.json`): what it was built from and the
// modification time of every source in it. Plain JavaScript, so that bin/fuse.mjs can tell
// whether the CLI's bundle is fresh before any TypeScript loader runs.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const recordOf = (outfile) => `${outfile}.inputs.json`;

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

export function isFresh(outfile, key) {
  if (!existsSync(outfile)) return false;
  try {
    const record = JSON.parse(readFileSync(recordOf(outfile), "utf8"));
    return (key === undefined || record.key === key) && Object.entries(record.inputs).every(([file, at]) => mtime(file) === at);
  } catch {
    return false;
  }
}

export function remember(outfile, key, inputs) {
  const files = inputs.filter((i) => !i.startsWith("<")).map((i) => path.resolve(i));
  writeFileSync(recordOf(outfile), JSON.stringify({ key, inputs: Object.fromEntries(files.map((f) => [f, mtime(f)])) }));
}
