import { DeliverPolicy, NatsError, type NatsConnection } from "nats";
import { NotFoundError } from "../../errors/index.ts";
import { ErrorCode, eventStreamName, eventSubject } from "../../protocol/index.ts";
import type { EventFollow, EventFollowSpec } from "./event-follow.ts";

const STREAM_NOT_FOUND = 10059;
// An ordered consumer is ephemeral: the server forgets it this long after its follower left
// (the gateway's bus identity may not delete consumers of the event stream).
const FORGET_AFTER_MS = 10_000;

/**
 * Follows a topic on JetStream with an ordered consumer (in memory, never acknowledged, made
 * anew from the last sequence seen when the connection or the server hiccups, so nothing is
 * skipped or repeated). From now means after the stream's last sequence read here, so every
 * event stored once this resolves is delivered.
 * @throws NOT_FOUND when the hub's event stream does not exist (the hub makes it at start).
 */
export async function followNatsEvents(nc: NatsConnection, spec: EventFollowSpec): Promise<EventFollow> {
  const stream = eventStreamName(spec.prefix);
  const base = eventSubject(spec.prefix, "");
  let after = spec.afterSeq;
  if (after === undefined) {
    try {
      after = (await (await nc.jetstreamManager()).streams.info(stream)).state.last_seq;
    } catch (error) {
      if (error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND) throw new NotFoundError(ErrorCode.NOT_FOUND, `no event stream ${stream} on this bus: the hub makes it when it starts`);
      throw error;
    }
  }
  const consumer = await nc.jetstream().consumers.get(stream, {
    filterSubjects: eventSubject(spec.prefix, spec.topic),
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: after + 1,
    inactive_threshold: FORGET_AFTER_MS,
  });
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const m of messages) {
      spec.onEvent({
        topic: m.subject.slice(base.length),
        seq: m.seq,
        storedAt: Math.floor(m.info.timestampNanos / 1e6),
        data: m.data,
        header: (name) => m.headers?.get(name) || undefined,
      });
    }
  })();
  return {
    stop: async () => {
      await messages.close();
      await done.catch(() => undefined);
    },
  };
}
