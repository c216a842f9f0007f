import { Header } from "../../runtime/protocol/index.ts";
import { Outcome } from "./load.ts";

export interface PostOptions {
  /** The deadline the gateway is given (`Fuse-Deadline`), ms from now. */
  deadlineMs: number;
  /** How long the client waits for an answer at all, ms; longer than the deadline, so silence is a real loss. */
  answerMs: number;
}

/** The code of a failed fetch: a refused connection, or no answer (cut, reset, timed out). */
function connectionOutcome(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === Outcome.refused ? Outcome.refused : Outcome.noAnswer;
}

export interface PostResult {
  /** `ok` for a 200, the envelope's error code for an error reply, `ECONNREFUSED` or `NO_ANSWER` when no HTTP answer came. */
  outcome: string;
  /** The HTTP status, when an answer came. */
  status?: number;
}

/** POSTs `body` as JSON and says how it ended (see `PostResult`). Never throws. */
export async function post(url: string, body: unknown, options: PostOptions): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [Header.deadline]: String(Date.now() + options.deadlineMs) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.answerMs),
    });
    const text = await res.text();
    if (res.status === 200) return { outcome: Outcome.ok, status: 200 };
    try {
      return { outcome: (JSON.parse(text) as { error: { code: string } }).error.code, status: res.status };
    } catch {
      return { outcome: `HTTP_${res.status}`, status: res.status };
    }
  } catch (error) {
    return { outcome: connectionOutcome(error) };
  }
}

/** `post`, saying only how it ended. */
export const postOutcome = (url: string, body: unknown, options: PostOptions): Promise<string> => post(url, body, options).then((r) => r.outcome);
