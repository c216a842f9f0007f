import type { JsonSchema } from "../../sdk/internal.ts";

/** Turns the text values of one query or path parameter into the type the input schema wants. */
export type Coerce = (name: string, values: string[]) => unknown;

type Kind = "number" | "integer" | "boolean" | "array" | "text";

function kindOf(schema: unknown): Kind {
  if (typeof schema !== "object" || schema === null) return "text";
  const s = schema as { type?: unknown; anyOf?: unknown[] };
  const types = Array.isArray(s.type) ? s.type : [s.type];
  for (const t of types) if (t === "array" || t === "integer" || t === "number" || t === "boolean") return t;
  // zod emits optional/nullable fields as anyOf; the first typed branch decides.
  for (const branch of s.anyOf ?? []) {
    const k = kindOf(branch);
    if (k !== "text") return k;
  }
  return "text";
}

function convert(kind: Kind, text: string): unknown {
  if ((kind === "number" || kind === "integer") && text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  if (kind === "boolean" && (text === "true" || text === "false")) return text === "true";
  // Anything else stays text, and the endpoint's own validation names the problem.
  return text;
}

/**
 * Builds, once per route, the coercion of parameters by the endpoint's input JSON Schema: a
 * number or boolean field gets a number or boolean, an array field always gets an array, any
 * other field the text (the last value when repeated).
 */
export function createCoerce(input: JsonSchema): Coerce {
  const properties = (input.properties ?? {}) as Record<string, unknown>;
  const kinds = new Map<string, Kind>(Object.entries(properties).map(([name, schema]) => [name, kindOf(schema)]));
  return (name, values) => {
    const kind = kinds.get(name) ?? "text";
    if (kind === "array") {
      const items = (properties[name] as { items?: unknown } | undefined)?.items;
      const itemKind = kindOf(items);
      return values.map((v) => convert(itemKind, v));
    }
    return convert(kind, values[values.length - 1]!);
  };
}
