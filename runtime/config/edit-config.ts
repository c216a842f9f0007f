import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isMap, parseDocument } from "yaml";
import { safeParseConfig } from "./load-config.ts";

/**
 * Sets one value in fuse.yaml, keeping the file's comments and layout, and checks the result
 * before writing it. Returns the new text.
 * @throws CONFIG_INVALID when the edited config would not be valid (nothing is written then).
 */
export function setConfigValue(hubDir: string, file: string, keyPath: string[], value: unknown): string {
  const full = path.resolve(hubDir, file);
  const doc = parseDocument(existsSync(full) ? readFileSync(full, "utf8") : "");
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  doc.setIn(keyPath, value);
  // An empty `actors: {}` is a flow map; what is added reads better as a block.
  for (let depth = 1; depth <= keyPath.length; depth++) {
    const node = doc.getIn(keyPath.slice(0, depth), true);
    if (isMap(node)) node.flow = false;
  }
  const text = doc.toString();
  const checked = safeParseConfig(text, file);
  if (!checked.ok) throw checked.error;
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return text;
}
