import { toFuseError } from "../../errors/index.ts";
import type { DeadLetter } from "../../protocol/index.ts";
import type { DeliveredEvent } from "./event-types.ts";

/** The body of a dead letter for `event`, given up by `actor` with `error`. */
export function deadLetter(actor: string, topic: string, event: DeliveredEvent, error: unknown): DeadLetter {
  const fuse = toFuseError(error);
  const letter: DeadLetter = {
    actor,
    topic,
    eventId: event.id,
    seq: event.seq,
    attempts: event.attempt,
    storedAt: event.storedAt,
    deadAt: Date.now(),
    error: { code: fuse.code, message: fuse.message },
  };
  const text = Buffer.from(event.data).toString("utf8");
  try {
    letter.payload = text ? JSON.parse(text) : null;
  } catch {
    letter.raw = text;
  }
  return letter;
}
