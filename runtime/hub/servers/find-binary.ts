import { accessSync, constants } from "node:fs";
import path from "node:path";

/** The first executable among `candidates` and the PATH entries for `name`. */
export function findBinary(name: string, candidates: string[] = []): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const file of [...candidates, ...dirs.map((d) => path.join(d, name)), `/usr/sbin/${name}`, `/usr/bin/${name}`]) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
