/**
 * Route paths of endpoints (`/hello/:name`): compiled once when the route table changes, matched
 * per request against the raw (still percent-encoded) path, so an encoded `/` stays inside its
 * segment and never changes which route matches.
 */
export interface PathPattern {
  /** The path as declared. */
  path: string;
  /** Per segment: a static text, or a parameter name (`param`). */
  segments: { text: string; param: boolean }[];
  params: string[];
  /** Equal for paths that match the same requests: `/hello/:name` and `/hello/:who` share one. */
  shape: string;
}

export type CompileResult = { ok: true; pattern: PathPattern } | { ok: false; message: string };

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const STATIC = /^[A-Za-z0-9._~!$&'()*+,;=@-]+$/;

/** Checks and compiles a declared route path; the message says what is wrong with it. */
export function compilePath(path: string): CompileResult {
  if (typeof path !== "string" || !path.startsWith("/")) return { ok: false, message: `path ${JSON.stringify(path)} must start with "/"` };
  const parts = path === "/" ? [] : path.slice(1).split("/");
  const segments: PathPattern["segments"] = [];
  const params: string[] = [];
  for (const part of parts) {
    const param = PARAM.exec(part);
    if (param) {
      if (params.includes(param[1]!)) return { ok: false, message: `path ${JSON.stringify(path)} repeats parameter "${param[1]}"` };
      params.push(param[1]!);
      segments.push({ text: param[1]!, param: true });
    } else if (STATIC.test(part) && part !== "." && part !== "..") {
      segments.push({ text: part, param: false });
    } else {
      return { ok: false, message: `path ${JSON.stringify(path)}: segment ${JSON.stringify(part)} is neither a plain name nor a ":param"` };
    }
  }
  const shape = `/${segments.map((s) => (s.param ? ":" : s.text)).join("/")}`;
  return { ok: true, pattern: { path, segments, params, shape } };
}

/** Splits a raw request path into its (still encoded) segments. */
export function splitPath(rawPath: string): string[] {
  return rawPath === "/" || rawPath === "" ? [] : rawPath.slice(1).split("/");
}

/** Whether the raw segments fit the pattern (parameters match any non-empty segment). */
export function fits(pattern: PathPattern, segments: string[]): boolean {
  if (pattern.segments.length !== segments.length) return false;
  for (let i = 0; i < segments.length; i++) {
    const s = pattern.segments[i]!;
    if (s.param ? segments[i] === "" : s.text !== segments[i]) return false;
  }
  return true;
}

/** Ranks patterns for matching: at the first position where they differ, a static segment wins. */
export function compareSpecificity(a: PathPattern, b: PathPattern): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const pa = a.segments[i]!.param;
    const pb = b.segments[i]!.param;
    if (pa !== pb) return pa ? 1 : -1;
  }
  return 0;
}
