import type { JsonSchema } from "../../sdk/internal.ts";
import { RAW_BODY_SCHEMA_KEY, type RawBodyDeclaration } from "../../protocol/index.ts";

type Json = Record<string, unknown>;

/** The declaration of a `rawOutput` endpoint in its published output schema, if it is one. */
export function rawBodyOf(output: JsonSchema): RawBodyDeclaration | undefined {
  const declared = (output as Json)[RAW_BODY_SCHEMA_KEY] as Partial<RawBodyDeclaration> | undefined;
  if (!declared || !Array.isArray(declared.types)) return undefined;
  return { types: declared.types.filter((t): t is string => typeof t === "string"), redirect: declared.redirect === true };
}

const bodySchema = (type: string): Json => (/^(text\/|application\/(json|xml|javascript)|.*\+(xml|json))/i.test(type) ? { type: "string" } : { type: "string", format: "binary" });

/**
 * The success responses of an endpoint in OpenAPI: its JSON output under 200, or for a
 * `rawOutput` endpoint its body under each media type it declared (and a 3XX with `Location`
 * when it may redirect).
 */
export function successResponses(output: JsonSchema, schemaOf: (schema: JsonSchema) => Json): Record<string, Json> {
  const raw = rawBodyOf(output);
  if (!raw) return { "200": { description: "The endpoint's output", content: { "application/json": { schema: schemaOf(output) } } } };
  const types = raw.types.length ? raw.types : ["*/*"];
  const out: Record<string, Json> = {
    "200": { description: "The endpoint's body (not JSON)", content: Object.fromEntries(types.map((t) => [t, { schema: bodySchema(t) }])) },
  };
  if (raw.redirect) out["3XX"] = { description: "A redirect", headers: { Location: { schema: { type: "string" }, description: "Where to go" } } };
  return out;
}
