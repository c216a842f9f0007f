import type { JsonSchema } from "../../sdk/internal.ts";
import type { ApiIndex, IndexEndpoint } from "./api-index.ts";
import { successResponses } from "./success-responses.ts";
import { FUSE_VERSION, Header } from "../../protocol/index.ts";

type Json = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  "400": "Invalid input (VALIDATION_FAILED) or malformed request (BAD_REQUEST)",
  "404": "Unknown actor (ACTOR_NOT_FOUND) or endpoint (ENDPOINT_NOT_FOUND)",
  "413": "Body above the gateway's limit or above what the bus carries with the request's headers (PAYLOAD_TOO_LARGE)",
  "415": "Body that is not JSON (UNSUPPORTED_MEDIA_TYPE)",
  "500": "The handler failed (HANDLER_FAILED, OUTPUT_INVALID)",
  "503": "No live instance (NO_LIVE_INSTANCE)",
  "504": "The deadline passed (DEADLINE_EXCEEDED)",
};

const ERROR_ENVELOPE = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable error code, e.g. VALIDATION_FAILED" },
        message: { type: "string" },
        details: {},
        actor: { type: "string" },
        retryable: { type: "boolean" },
      },
    },
  },
};

/** A published schema as an OpenAPI 3.1 schema object (full JSON Schema; the dialect is the document's). */
function schemaOf(schema: JsonSchema): Json {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

const ENVELOPE_REF = { $ref: "#/components/schemas/ErrorEnvelope" };

/**
 * The 200, Fuse's own error statuses, and the business errors the endpoint declares: each of
 * those under its status, named in the description, in `x-fuse-errors` and as an example.
 */
function responses(e: IndexEndpoint): Json {
  const out = successResponses(e.output, schemaOf) as Record<string, { description: string; content: Json; "x-fuse-errors"?: Json[] }>;
  for (const [status, description] of Object.entries(ERROR_STATUSES)) {
    out[status] = { description, content: { "application/json": { schema: ENVELOPE_REF } } };
  }
  for (const [code, { status, description }] of Object.entries(e.errors ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const key = String(status);
    const line = `${code}${description ? `: ${description}` : ""}`;
    const response = (out[key] ??= { description: "", content: { "application/json": { schema: ENVELOPE_REF } } });
    response.description = response.description ? `${response.description}; ${line}` : line;
    (response["x-fuse-errors"] ??= []).push(description ? { code, description } : { code });
    const media = response.content["application/json"] as { examples?: Json };
    (media.examples ??= {})[code] = { summary: line, value: { error: { code, message: description ?? code } } };
  }
  return out;
}

const TRACE_PARAM = { name: Header.traceId, in: "header", required: false, schema: { type: "string" }, description: "Trace id to continue; the response returns it" };

function apiOperation(actor: string, e: IndexEndpoint): Json {
  const op: Json = {
    operationId: e.target,
    tags: [actor],
    summary: e.description ?? e.target,
    parameters: [TRACE_PARAM],
    requestBody: { required: false, content: { "application/json": { schema: schemaOf(e.input) } } },
    responses: responses(e),
  };
  return op;
}

/** The endpoint's own route: path parameters, then (for GET and DELETE) the other input fields as query. */
function routeOperation(actor: string, e: IndexEndpoint): { path: string; method: string; op: Json } {
  const http = e.http!;
  const params = [...http.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  const properties = (e.input.properties ?? {}) as Record<string, unknown>;
  const required = new Set((e.input.required ?? []) as string[]);
  const method = http.method.toLowerCase();
  const parameters: Json[] = params.map((name) => ({ name, in: "path", required: true, schema: properties[name] ?? { type: "string" } }));
  const op: Json = { operationId: `${e.target}.route`, tags: [actor], summary: e.description ?? e.target, responses: responses(e) };
  if (method === "get" || method === "delete") {
    for (const [name, schema] of Object.entries(properties)) {
      if (!params.includes(name)) parameters.push({ name, in: "query", required: required.has(name), schema });
    }
  } else {
    op.requestBody = { required: false, content: { "application/json": { schema: schemaOf(e.input) } } };
  }
  op.parameters = [...parameters, TRACE_PARAM];
  return { path: http.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}"), method, op };
}

/** OpenAPI 3.1 of every live or known endpoint, from the JSON Schemas the actors publish, versioned as this Fuse. */
export function buildOpenApi(index: ApiIndex, serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const actor of index.actors) {
    for (const e of actor.endpoints) {
      paths[e.api.path] = { post: apiOperation(actor.name, e) };
      if (e.http && e.mounted) {
        const route = routeOperation(actor.name, e);
        paths[route.path] = { ...paths[route.path], [route.method]: route.op };
      }
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "Fuse hub", version: FUSE_VERSION, description: "Every endpoint of the actors on this hub, through the Fuse gateway" },
    servers: [{ url: serverUrl }],
    // On a cluster each actor's tag says where its instances run (`x-fuse-nodes`: instances per node).
    tags: index.actors.map((a) => ({ name: a.name, description: a.description || a.name, ...(a.nodes ? { "x-fuse-nodes": a.nodes } : {}) })),
    paths,
    components: { schemas: { ErrorEnvelope: ERROR_ENVELOPE } },
  };
}
