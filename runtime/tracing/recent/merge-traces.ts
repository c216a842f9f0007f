import type { RecentTracesQuery, RecentTracesReply, TracePart, TraceStoreReply, TraceSummary } from "../../protocol/index.ts";
import { betterTop, firstFailure } from "./trace-parts.ts";

/**
 * The gateway's side of `GET /dashboard/traces`: the processes' parts of each trace merged
 * into one summary per request, filtered and newest first. Pure.
 */
export function recentTraces(replies: readonly TraceStoreReply[], query: RecentTracesQuery): RecentTracesReply {
  const merged = new Map<string, TracePart>();
  for (const reply of replies) {
    for (const part of reply.parts ?? []) {
      const held = merged.get(part.traceId);
      merged.set(part.traceId, held ? mergePart(held, part) : part);
    }
  }
  const traces = [...merged.values()]
    .filter((part) => matches(part, query))
    .sort((a, b) => b.start - a.start)
    .slice(0, query.limit)
    .map(summaryOf);
  const stores = replies.map(({ actor, instance, held, capacity }) => ({ actor, instance, held, capacity })).sort((a, b) => a.actor.localeCompare(b.actor) || a.instance - b.instance);
  return { traces, stores };
}

function mergePart(a: TracePart, b: TracePart): TracePart {
  const entry = !a.entry || (b.entry && b.entry.start < a.entry.start) ? b.entry : a.entry;
  const failure = b.failure ? firstFailure(a.failure, b.failure) : a.failure;
  return {
    traceId: a.traceId,
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    spans: a.spans + b.spans,
    actors: [...new Set([...a.actors, ...b.actors])],
    targets: [...new Set([...a.targets, ...b.targets])],
    top: betterTop(a.top, b.top),
    ...(entry ? { entry } : {}),
    ...(failure ? { failure } : {}),
  };
}

/**
 * A request matches when an actor it reached, an endpoint it served, its outcome (`error`: some
 * span failed) and its length are those asked for. `endpoint` alone matches by name on any actor.
 */
function matches(part: TracePart, query: RecentTracesQuery): boolean {
  if (query.actor !== undefined && !part.actors.includes(query.actor)) return false;
  if (query.endpoint !== undefined && !part.targets.some((t) => endpointMatches(t, query.endpoint!, query.actor))) return false;
  if (query.status !== undefined && (part.failure ? "error" : "ok") !== query.status) return false;
  if (query.minMs !== undefined && part.end - part.start < query.minMs) return false;
  return true;
}

function endpointMatches(target: string, endpoint: string, actor: string | undefined): boolean {
  if (endpoint.includes(".")) return target === endpoint;
  return actor === undefined ? target.endsWith(`.${endpoint}`) : target === `${actor}.${endpoint}`;
}

function summaryOf(part: TracePart): TraceSummary {
  return {
    traceId: part.traceId,
    start: part.start,
    ms: part.end - part.start,
    name: part.top.name,
    process: `${part.top.actor}#${part.top.instance}`,
    entry: part.entry?.target,
    status: part.failure ? "error" : "ok",
    code: part.failure?.code ?? "OK",
    error: part.failure?.error,
    spans: part.spans,
    actors: part.actors,
  };
}
