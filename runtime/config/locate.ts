import { isMap, isScalar, LineCounter, type Document } from "yaml";
import { z } from "zod";

/** The 1-based line of the node at `path` in a YAML document (or of its closest parent). */
export function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[], keyOnly = false): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth).map((p) => (typeof p === "number" ? p : String(p)));
    const parent = sub.length ? doc.getIn(sub.slice(0, -1), true) : undefined;
    if (keyOnly && isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === sub[sub.length - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) return counter.linePos(range[0]).line;
    }
    const node = doc.getIn(sub, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    const def = (current as unknown as { def: { type: string; innerType?: z.ZodType; out?: z.ZodType } }).def;
    if (def.innerType && ["default", "prefault", "optional", "nullable"].includes(def.type)) current = def.innerType;
    // A preprocessed value (a short form turned into an object) is checked by the schema it flows into.
    else if (def.type === "pipe" && def.out) current = def.out;
    else return current;
  }
}

/** The keys an object at `path` of `schema` accepts, to suggest one for a misspelt key. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const part of path) {
    if (current instanceof z.ZodObject) current = unwrap(current.shape[String(part)] as z.ZodType);
    else if (current instanceof z.ZodRecord) current = unwrap(current.valueType as z.ZodType);
    else return [];
    if (!current) return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key`, when it is close enough to be a likely typo. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance < key.length && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
