import type { ServerResponse } from "node:http";
import type { Context, Hono } from "hono";
import { DEFAULT_ACCESS, ErrorCode, type Access } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { GatedHandler } from "../http/endpoint-handlers.ts";
import type { RequestHead } from "../http/request-head.ts";
import { LiveClient } from "./live-client.ts";
import type { Follow, LiveFeeds } from "./live-feeds.ts";
import { eventFrame, openingFrame } from "./sse-frame.ts";

/**
 * Who may follow events over HTTP: any authenticated caller (the local admin on a hub without
 * authentication), as for reading files and the API index. Events are the hub's own news to
 * its users' browsers; an admin role would keep every frontend from showing them.
 */
export const EVENTS_READ_ACCESS: Access = DEFAULT_ACCESS;

export interface EventRoutesOptions {
  feeds: LiveFeeds;
  /** Follows a topic from a sequence on, for a client that resumes. */
  follow: Follow;
  /** Bytes queued for one client beyond which it is dropped as too slow. */
  bufferBytes: number;
  /** What a browser waits before reconnecting (the SSE `retry:` field). */
  retryMs: number;
  gate(access: Access, handler: GatedHandler): (c: Context) => Promise<Response>;
  log: Logger;
}

const EVENTS_PREFIX = "/events/";
// Dotted words, `*` for one word, `>` for the rest: the topics `events:` subscribes to.
const TOPIC_PATTERN = /^([A-Za-z0-9_-]+|\*)(\.([A-Za-z0-9_-]+|\*))*(\.>)?$|^>$/;
const SEQUENCE = /^\d{1,15}$/;

function topicOf(head: RequestHead): string {
  let topic: string;
  try {
    topic = decodeURIComponent(head.rawPath.slice(EVENTS_PREFIX.length));
  } catch {
    topic = "";
  }
  if (!TOPIC_PATTERN.test(topic)) throw new FuseError(ErrorCode.BAD_REQUEST, `GET /events/<topic>: ${JSON.stringify(topic.slice(0, 80))} is not a topic (dotted words such as "order.placed"; * and > as wildcards)`);
  return topic;
}

/** The sequence to resume after: `Last-Event-ID` (a browser reconnecting), else `?after=`; none: from now. */
function resumePoint(head: RequestHead): number | undefined {
  const header = head.header("last-event-id");
  const query = new URLSearchParams(head.rawQuery).get("after");
  const value = header?.trim() || query;
  if (value === null || value === undefined || value === "") return undefined;
  if (!SEQUENCE.test(value)) throw new FuseError(ErrorCode.BAD_REQUEST, `${header ? "Last-Event-ID" : "after"} must be an event's sequence number, got ${JSON.stringify(value.slice(0, 40))}`);
  return Number(value);
}

const outgoingOf = (c: Context) => (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;

/**
 * `GET /events/<topic>`: the topic's events as Server-Sent Events, from now or, with
 * `Last-Event-ID` / `?after=<seq>`, from after that sequence of the durable event stream.
 * Each client has a bounded queue; one that does not read is cut, the others go on.
 */
export function mountEventRoutes(app: Hono, options: EventRoutesOptions): void {
  const { feeds, log } = options;
  app.get(
    `${EVENTS_PREFIX}*`,
    options.gate(EVENTS_READ_ACCESS, async (c, _principal, head) => {
      const topic = topicOf(head);
      const afterSeq = resumePoint(head);
      const client: LiveClient = new LiveClient({
        bufferBytes: options.bufferBytes,
        afterSeq,
        cut: () => outgoingOf(c)?.destroy(),
        onClose: (reason) => {
          feeds.leave(topic, client);
          if (reason === "dropped") log.warn({ topic, bufferBytes: options.bufferBytes, address: head.address }, "slow event client dropped");
        },
      });
      await feeds.join(topic, client);
      client.write(openingFrame(options.retryMs));
      if (afterSeq !== undefined) {
        try {
          const catchUp = await options.follow(topic, afterSeq, (event) => client.fromCatchUp(eventFrame(event)));
          client.catchUpWith(() => void catchUp.stop());
        } catch (error) {
          client.end();
          throw error;
        }
      }
      return new Response(client.body, {
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
      });
    }),
  );
}
