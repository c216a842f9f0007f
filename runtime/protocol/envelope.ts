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

/** Reads an error envelope; returns undefined when the text is not one. */
export function decodeErrorEnvelope(text: string): ErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  return error as ErrorBody;
}
