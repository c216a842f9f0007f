/** The JSON body of an error reply: `{"error":{"code","message","details"?,"actor"?,"retryable"?}}`. */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    details?: unknown;
    /** The actor that produced the error. */
    actor?: string;
    retryable?: boolean;
  };
}

export type ErrorBody = ErrorEnvelope["error"];

export function encodeErrorEnvelope(body: ErrorBody): string {
  return JSON.stringify({ error: body });
}

/** The JSON object in `text`, or undefined when it is not JSON or not an object (the reader of wire text drops what it cannot read). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
}

/** Reads an error envelope; returns undefined when the text is not one. */
export function decodeErrorEnvelope(text: string): ErrorBody | undefined {
  const error = parseJsonObject(text)?.error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  return error as ErrorBody;
}
