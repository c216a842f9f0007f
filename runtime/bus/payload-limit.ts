import { ErrorCode as NatsErrorCode, NatsError, type NatsConnection } from "nats";
import { PayloadTooLargeError } from "../errors/index.ts";

/**
 * What a failed publish threw, with nats.js's refusal of a message above the server's
 * `max_payload` (which it raises before sending anything) turned into PAYLOAD_TOO_LARGE
 * naming the message, its size and the limit. Other errors come back as they are.
 * @param what the kind of message and its subject, e.g. `reply to fuse.files.read`
 */
export function payloadTooLarge(error: unknown, connection: NatsConnection, what: string, size: number): unknown {
  if (!(error instanceof NatsError) || error.code !== NatsErrorCode.MaxPayloadExceeded) return error;
  const limit = connection.info?.max_payload;
  return new PayloadTooLargeError(`${what}: a body of ${size} bytes is above the bus limit of ${limit} bytes (max_payload, headers included)`, {
    details: { size, limit },
    cause: error,
  });
}
