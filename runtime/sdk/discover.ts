import type { Reply, Transport } from "../bus/index.ts";
import { DEFAULT_ACCESS, EndpointMeta, ServiceMeta, parseAccess, serviceInfoSubject, type Access } from "../protocol/index.ts";
import type { HttpRoute } from "./http-route.ts";
import { parseDeclaredErrors, type DeclaredError } from "./declared-errors.ts";

/** A JSON Schema as published in `$SRV.INFO` (parsed; shared between results, do not mutate). */
export type JsonSchema = Record<string, unknown>;

/** One endpoint of a discovered actor instance. */
export interface DiscoveredEndpoint {
  name: string;
  subject: string;
  description?: string;
  /** JSON Schema of the input; `{}` when the service published none. */
  input: JsonSchema;
  /** JSON Schema of the output; `{}` when the service published none. */
  output: JsonSchema;
  /** Stores its replies by idempotency key (`fuse.idempotent`): a repeat with one key never runs twice. */
  idempotent?: boolean;
  /** The HTTP route the endpoint asks the gateway to mount; unchecked beyond its shape. */
  http?: HttpRoute;
  /** The business errors the endpoint declares, by code. */
  errors?: Record<string, DeclaredError>;
  /**
   * Who may call it (`fuse.access`); `authenticated` when the service published none. Text
   * that is no access reads as `internal`: an endpoint whose access cannot be read is not routed.
   * Absent (a table built by hand) means `authenticated`.
   */
  access?: Access;
  /** A keyed actor's endpoint (`fuse.keyed`): every call names a key. */
  keyed?: boolean;
}

/** One running instance of an actor, as it answered `$SRV.INFO`. */
export interface DiscoveredService {
  /** The actor name (the micro-service name). */
  actor: string;
  /** The micro-service id of this instance. */
  id: string;
  version: string;
  description: string;
  instance?: number;
  pid?: number;
  /** On a cluster: the node the instance runs on. */
  node?: string;
  endpoints: DiscoveredEndpoint[];
}

/** Options of `ctx.discover`. */
export interface DiscoverOptions {
  /** Only this actor's instances. Default: every actor. */
  actor?: string;
  /** Longest wait for answers in ms. Default 1 000. */
  timeoutMs?: number;
  /** Ends once no answer came for this many ms. Default 150. */
  stallMs?: number;
}

interface InfoEndpoint {
  name?: unknown;
  subject?: unknown;
  metadata?: Record<string, string> | null;
}

interface InfoReply {
  name?: unknown;
  id?: unknown;
  version?: unknown;
  description?: unknown;
  metadata?: Record<string, string> | null;
  endpoints?: InfoEndpoint[] | null;
}

const decoder = new TextDecoder();

// Schemas repeat across instances and rounds of discovery: parse each distinct text once.
const schemaCache = new Map<string, JsonSchema>();
const SCHEMA_CACHE_LIMIT = 2000;

function parseSchema(text: string | undefined): JsonSchema {
  if (!text) return {};
  let schema = schemaCache.get(text);
  if (schema) return schema;
  try {
    const parsed: unknown = JSON.parse(text);
    schema = typeof parsed === "object" && parsed !== null ? (parsed as JsonSchema) : {};
  } catch {
    schema = {};
  }
  if (schemaCache.size >= SCHEMA_CACHE_LIMIT) schemaCache.clear();
  schemaCache.set(text, schema);
  return schema;
}

function parseRoute(text: string | undefined): HttpRoute | undefined {
  if (!text) return undefined;
  try {
    const route = JSON.parse(text) as { method?: unknown; path?: unknown };
    if (typeof route.method === "string" && typeof route.path === "string") return route as HttpRoute;
  } catch {
    // an unreadable route is no route
  }
  return undefined;
}

function accessOf(text: string | undefined): Access {
  if (text === undefined) return DEFAULT_ACCESS;
  return parseAccess(text) ?? "internal";
}

function toEndpoint(e: InfoEndpoint): DiscoveredEndpoint {
  const meta = e.metadata ?? {};
  const endpoint: DiscoveredEndpoint = {
    name: String(e.name),
    subject: String(e.subject),
    input: parseSchema(meta[EndpointMeta.inputSchema]),
    output: parseSchema(meta[EndpointMeta.outputSchema]),
    access: accessOf(meta[EndpointMeta.access]),
  };
  if (meta[EndpointMeta.idempotent] !== undefined) endpoint.idempotent = true;
  const description = meta[EndpointMeta.description];
  if (description) endpoint.description = description;
  const http = parseRoute(meta[EndpointMeta.http]);
  if (http) endpoint.http = http;
  const errors = parseDeclaredErrors(meta[EndpointMeta.errors]);
  if (errors) endpoint.errors = errors;
  if (meta[EndpointMeta.keyed] === "true") endpoint.keyed = true;
  return endpoint;
}

/** Reads one `$SRV.INFO` answer; keeps only the endpoints under `<prefix>.<actor>.`. */
function toService(reply: Reply, prefix: string): DiscoveredService | undefined {
  let info: InfoReply;
  try {
    info = JSON.parse(decoder.decode(reply.data)) as InfoReply;
  } catch {
    return undefined;
  }
  if (typeof info.name !== "string" || typeof info.id !== "string") return undefined;
  const subjectStart = `${prefix}.${info.name}.`;
  const endpoints = (info.endpoints ?? [])
    .filter((e) => typeof e.subject === "string" && e.subject === `${subjectStart}${String(e.name)}`)
    .map(toEndpoint);
  if (endpoints.length === 0) return undefined;
  const meta = info.metadata ?? {};
  const service: DiscoveredService = {
    actor: info.name,
    id: info.id,
    version: typeof info.version === "string" ? info.version : "",
    description: typeof info.description === "string" ? info.description : "",
    endpoints,
  };
  if (meta[ServiceMeta.instance] !== undefined) service.instance = Number(meta[ServiceMeta.instance]);
  if (meta[ServiceMeta.pid] !== undefined) service.pid = Number(meta[ServiceMeta.pid]);
  if (meta[ServiceMeta.node]) service.node = meta[ServiceMeta.node];
  return service;
}

/**
 * Asks every service on the bus for its `$SRV.INFO` and returns the actor instances of this
 * hub's prefix, with their endpoints' schemas and HTTP routes. An instance that answers late
 * is missing from this round; callers that keep a table should not drop an actor on one miss.
 */
export async function discoverServices(transport: Transport, prefix: string, options: DiscoverOptions = {}): Promise<DiscoveredService[]> {
  const replies = await transport.gather(serviceInfoSubject(options.actor), "", {
    timeoutMs: options.timeoutMs ?? 1000,
    stallMs: options.stallMs ?? 150,
  });
  const services: DiscoveredService[] = [];
  for (const reply of replies) {
    const service = toService(reply, prefix);
    if (service) services.push(service);
  }
  return services;
}
