import { ErrorCode } from "../../protocol/index.ts";
import { FuseError, ValidationError } from "../../errors/index.ts";
import type { MountedRoute } from "../routes/route-table.ts";
import type { RequestHead } from "./request-head.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
// Control characters are exactly what this refuses in a path parameter.
// eslint-disable-next-line no-control-regex
const UNSAFE_PARAM = /[/\\\u0000-\u001f\u007f]/;

function badRequest(message: string, details?: unknown): ValidationError {
  return new ValidationError(message, { code: ErrorCode.BAD_REQUEST, ...(details === undefined ? {} : { details }) });
}

// A page of another site may send a POST with text/plain, a form type or no type at all (and
// any of them with an empty body) without asking the gateway first; JSON needs a CORS
// preflight, which this gateway never grants. So these methods must say JSON even with no
// body. A DELETE (or any other method) from another site is always preflighted: it needs the
// type only when it carries a body.
const SAYS_JSON_ALWAYS = new Set(["POST", "PUT", "PATCH"]);

/**
 * A body must be JSON, declared as `Content-Type: application/json` (or `application/*+json`):
 * always for POST, PUT and PATCH, empty bodies included; for other methods when they carry one.
 */
export function checkContentType(head: RequestHead, size: number): void {
  const type = head.header("content-type");
  if (type !== undefined && JSON_TYPE.test(type)) return;
  if (size === 0 && !SAYS_JSON_ALWAYS.has(head.method)) return;
  const got = type === undefined ? "none" : JSON.stringify(type.slice(0, 100));
  throw new FuseError(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    `${head.method} ${head.rawPath.slice(0, 200)} takes only JSON: send Content-Type: application/json${size === 0 ? " (an empty body too)" : ""}, got ${got}`,
    { details: { contentType: type?.slice(0, 100) ?? null } },
  );
}

/** Parses the body as JSON; BAD_REQUEST naming the problem (bad UTF-8, nesting too deep, or where the JSON breaks). */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
    throw badRequest(`request body nests arrays and objects deeper than the limit of ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH });
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw badRequest("request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

function decodeParam(name: string, raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw badRequest(`path parameter "${name}": invalid percent-encoding`, { param: name });
  }
  // Parameters are single path segments: no separators, control characters or dot segments.
  if (value === "." || value === ".." || UNSAFE_PARAM.test(value)) {
    throw badRequest(`path parameter "${name}": must not be "." or "..", nor contain "/", "\\" or control characters`, { param: name });
  }
  return value;
}

function queryInput(route: MountedRoute, rawQuery: string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (!rawQuery) return input;
  const values = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  for (const [key, list] of values) input[key] = route.coerce(key, list);
  return input;
}

/**
 * The input of a mounted route: query, then body fields, then path parameters (later ones
 * win), each parameter coerced to its type in the input schema. Returns the body bytes as
 * they came when there is nothing to merge.
 */
export function routeInput(route: MountedRoute, segments: string[], rawQuery: string, body: Uint8Array): Uint8Array | string {
  const parsed = parseJsonBody(body);
  if (route.pattern.params.length === 0 && !rawQuery) return body;
  if (parsed !== undefined && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
    throw badRequest(`request body must be a JSON object to merge with the path and query of ${route.method} ${route.pattern.path}`);
  }
  const input: Record<string, unknown> = { ...queryInput(route, rawQuery), ...(parsed as object | undefined) };
  route.pattern.segments.forEach((segment, i) => {
    if (segment.param) input[segment.text] = route.coerce(segment.text, [decodeParam(segment.text, segments[i]!)]);
  });
  return JSON.stringify(input);
}
