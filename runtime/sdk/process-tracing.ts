import { OK_CODE } from "../metrics/index.ts";
import type { StatementObserver } from "../table/index.ts";
import type { Tracing } from "../tracing/index.ts";
import { currentContext, type RequestContext } from "./context.ts";
import { endFailed, statementSpan } from "./spans.ts";

/** The tracing of the actor this process runs (set while it runs with tracing on). */
let ofProcess: Tracing | undefined;

/** Makes `tracing` the process's (the gateway's HTTP spans read it); returns the undo. */
export function useProcessTracing(tracing: Tracing): () => void {
  ofProcess = tracing;
  return () => {
    if (ofProcess === tracing) ofProcess = undefined;
  };
}

/** The process's tracing, for the gateway's HTTP spans; none with tracing off. */
export function processTracing(): Tracing | undefined {
  return ofProcess;
}

/** `ctx.db`'s spans: each statement a child of the request it runs for (found through the request's context). */
export function statementObserver(tracing: Tracing, actor: string): StatementObserver {
  return (sql) => {
    const span = statementSpan(tracing, sql, currentContext() as RequestContext | undefined, actor);
    return (error) => (error === undefined ? span.end(OK_CODE) : endFailed(span, error));
  };
}
