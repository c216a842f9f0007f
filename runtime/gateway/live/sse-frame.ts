import { Header } from "../../protocol/index.ts";
import type { FollowedEvent } from "../../sdk/internal.ts";

/** One event as Server-Sent Events bytes, made once and written to every client of its topic. */
export interface SseFrame {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON payload, or its text when a plain publisher stored something else. */
function payloadOf(data: Uint8Array): unknown {
  const text = decoder.decode(data);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * `id: <seq>` (what the browser sends back as `Last-Event-ID`) and one `data:` line holding
 * `{ topic, seq, storedAt, traceId?, payload }`. No `event:` field, so `onmessage` gets every
 * topic of a wildcard; JSON.stringify leaves no line break to split the data line.
 */
export function eventFrame(event: FollowedEvent): SseFrame {
  const traceId = event.header(Header.traceId);
  const data = JSON.stringify({ topic: event.topic, seq: event.seq, storedAt: event.storedAt, ...(traceId ? { traceId } : {}), payload: payloadOf(event.data) });
  return { seq: event.seq, bytes: encoder.encode(`id: ${event.seq}\ndata: ${data}\n\n`) };
}

/** A comment line: browsers ignore it, proxies and idle timers see traffic. */
export const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");

/** The first bytes: how long a browser waits before reconnecting, and that following has begun. */
export function openingFrame(retryMs: number): Uint8Array {
  return encoder.encode(`retry: ${retryMs}\n: ready\n\n`);
}
