import type { Transport } from "../bus/index.ts";
import { parseJsonObject, serviceTracesSubject, traceStoreQuerySchema, traceStoreReplySchema, type TraceStoreQuery, type TraceStoreReply } from "../protocol/index.ts";
import type { RecentSpans } from "../tracing/index.ts";

/** The store and bus of the actor this process runs (set while it keeps spans). */
let ofProcess: { recent: RecentSpans; transport: Transport } | undefined;

/** Longest wait for the processes' answers, and the silence after which the gather ends early (as a metrics scrape). */
const GATHER = { timeoutMs: 2_000, stallMs: 250 };

/**
 * Answers `$SRV.TRACES` with this process's store of latest spans (`telemetry.recent`), so the
 * gateway gathers every process's over the bus. Read only when asked. Returns the unsubscribe.
 */
export function answerTraces(transport: Transport, recent: RecentSpans): () => void {
  ofProcess = { recent, transport };
  const stop = transport.listen(serviceTracesSubject(), (request) => {
    const query = traceStoreQuerySchema.safeParse(parseJsonObject(new TextDecoder().decode(request.data)));
    // A malformed question gets no answer: the asker (the gateway) validated what it asks.
    if (!query.success) return;
    const reply = recent.answer(query.data);
    try {
      request.respond(JSON.stringify(reply));
    } catch {
      // Above what the bus takes: who this is and how full, without the spans.
      request.respond(JSON.stringify({ actor: reply.actor, instance: reply.instance, held: reply.held, capacity: reply.capacity }));
    }
  });
  return () => {
    stop();
    if (ofProcess?.recent === recent) ofProcess = undefined;
  };
}

/**
 * Every process's answer to `query` (the gateway's Traces routes), or undefined when this
 * process keeps no spans (the store is off on this hub). Answers that are not the store's are left out.
 */
export async function gatherTraces(query: TraceStoreQuery): Promise<TraceStoreReply[] | undefined> {
  const own = ofProcess;
  if (!own) return undefined;
  const replies = await own.transport.gather(serviceTracesSubject(), JSON.stringify(query), GATHER);
  return replies.flatMap((r) => {
    const parsed = traceStoreReplySchema.safeParse(parseJsonObject(new TextDecoder().decode(r.data)));
    return parsed.success ? [parsed.data] : [];
  });
}
