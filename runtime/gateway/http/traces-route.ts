import type { Context, Hono } from "hono";
import { ADMIN_ROLE, ErrorCode, TRACES_PATH, recentTracesQuerySchema, type Access, type TraceStoreQuery, type TraceStoreReply } from "../../protocol/index.ts";
import { NotFoundError, ValidationError, validationErrorFromIssues } from "../../errors/index.ts";
import { gatherTraces, recentTraces, waterfall } from "../../sdk/internal.ts";
import { jsonResponse } from "./json-response.ts";
import type { GatedHandler } from "./endpoint-handlers.ts";

/** Spans carry every actor's error messages: admins only, as the logs. */
const ADMIN: Access = { roles: [ADMIN_ROLE] };

/** How many of its latest traces each process sends for the list (within one bus message). */
const PARTS_PER_PROCESS = 300;

/** What the Traces panel tells a hub with the store off to add to config/fuse.yaml. */
export const ENABLE_TRACE_STORE = "telemetry:\n  recent: true   # or { spans: 2000 }, kept per process\n";

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * `GET /dashboard/traces?actor&endpoint&status&minMs&limit`: the latest requests, from every
 * process's store gathered over the bus and merged; `GET /dashboard/traces/<trace id>`: that
 * request's spans as the rows of a waterfall. 404 naming the config to add when the store is off.
 */
export function mountTracesRoutes(app: Hono, gate: (access: Access, handler: GatedHandler) => (c: Context) => Promise<Response>): void {
  app.get(
    TRACES_PATH,
    gate(ADMIN, async (c) => {
      const parsed = recentTracesQuerySchema.safeParse(c.req.query());
      if (!parsed.success) throw validationErrorFromIssues(`GET ${TRACES_PATH} query`, parsed.error.issues, { code: ErrorCode.BAD_REQUEST });
      const replies = await gather({ op: "recent", max: PARTS_PER_PROCESS });
      return jsonResponse(JSON.stringify(recentTraces(replies, parsed.data)), 200, undefined, NO_STORE);
    }),
  );
  app.get(
    `${TRACES_PATH}/:traceId`,
    gate(ADMIN, async (c) => {
      const traceId = c.req.param("traceId") ?? "";
      if (!TRACE_ID.test(traceId)) throw new ValidationError(`GET ${TRACES_PATH}/<trace id>: expected a trace id of 32 lowercase hex digits, got ${JSON.stringify(traceId.slice(0, 64))}`, { code: ErrorCode.BAD_REQUEST });
      const replies = await gather({ op: "trace", traceId });
      const found = waterfall(traceId, replies.flatMap((r) => r.spans ?? []));
      if (!found.spans.length) throw new NotFoundError(ErrorCode.NOT_FOUND, `no span of trace ${traceId} is held: it ended before the stores' latest spans, or was not recorded (telemetry.sampleRatio)`);
      return jsonResponse(JSON.stringify(found), 200, undefined, NO_STORE);
    }),
  );
}

const NO_STORE = { "cache-control": "no-store" };

async function gather(query: TraceStoreQuery): Promise<TraceStoreReply[]> {
  const replies = await gatherTraces(query);
  if (!replies) throw new NotFoundError(ErrorCode.NOT_FOUND, "the trace store is off on this hub: set telemetry.recent in config/fuse.yaml", { details: { enable: ENABLE_TRACE_STORE } });
  return replies;
}
