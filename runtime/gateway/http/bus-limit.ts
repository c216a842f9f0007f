import { ErrorCode, Header } from "../../protocol/index.ts";
import { FuseError, PayloadTooLargeError } from "../../errors/index.ts";
import type { RelayOptions } from "../../sdk/internal.ts";

// A NATS header block is "NATS/1.0", then "\r\n<name>: <value>" per header, then "\r\n\r\n".
const BLOCK_FRAME = "NATS/1.0\r\n\r\n".length;
const LINE_FRAME = "\r\n: ".length;

/** The size in bytes of the NATS header block that carries these headers. */
export function headerBlockBytes(headers: Record<string, string>): number {
  let size = BLOCK_FRAME;
  // Names are HTTP tokens (ASCII); values may be any UTF-8.
  for (const name in headers) size += LINE_FRAME + name.length + Buffer.byteLength(headers[name]!.trim());
  return size;
}

/** The headers a relay sends: the gateway's own, and the trace id, deadline and caller the relay adds. */
export function relayHeaders(options: RelayOptions & { deadline: number }, caller: string): Record<string, string> {
  return { ...options.headers, [Header.traceId]: options.traceId ?? "", [Header.deadline]: String(options.deadline), [Header.caller]: caller };
}

/**
 * The bus's refusal of a relayed body as the gateway's answer. The bus checks body and headers
 * together against the server's `max_payload` before sending anything, and names that limit;
 * the caller gets the largest body this request could have carried: max_payload less the
 * header block of the request. Other errors come back as they are.
 */
export function bodyTooLargeForBus(error: unknown, target: string, headers: Record<string, string>): unknown {
  if (!(error instanceof FuseError) || error.code !== ErrorCode.PAYLOAD_TOO_LARGE) return error;
  const { size, limit: maxPayload } = (error.details ?? {}) as { size?: unknown; limit?: unknown };
  if (typeof size !== "number" || typeof maxPayload !== "number") return error;
  const headerBytes = headerBlockBytes(headers);
  const limit = maxPayload - headerBytes;
  return new PayloadTooLargeError(
    `request body of ${size} bytes for ${target} is above the limit of ${limit} bytes: the bus carries ${maxPayload} bytes (max_payload), ${headerBytes} of them headers`,
    { details: { size, limit, maxPayload, headerBytes }, cause: error },
  );
}
