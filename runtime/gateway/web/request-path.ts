/**
 * The path segments of a request for a file under a mount, or why it is refused. A request
 * path is decoded once, segment by segment, and refused when it could step outside the folder
 * or name something no browser asks for: an encoded separator (`%2f`, `%5c`), a backslash, a
 * `.` or `..` segment (also encoded, `%2e%2e`), an empty segment (`//`), a NUL or control
 * character. Dot-files (`.env`, `.git`) are not served, but `.well-known` is.
 */

export type RequestPath = { ok: true; segments: string[]; trailingSlash: boolean } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED_SEPARATOR = /%(2f|5c)/i;

function refused(reason: string): RequestPath {
  return { ok: false, reason };
}

/** `rest` is the raw path after the mount, starting with `/` (or empty for the mount itself). */
export function parseRequestPath(rest: string): RequestPath {
  // The mount itself without its slash (`/admin`) is a folder to redirect to `/admin/`.
  if (rest === "" || rest === "/") return { ok: true, segments: [], trailingSlash: rest === "/" };
  if (!rest.startsWith("/")) return refused("the path does not start with /");
  if (ENCODED_SEPARATOR.test(rest)) return refused("an encoded / or \\ (%2f, %5c) is not a path separator here");
  const trailingSlash = rest.endsWith("/");
  const raw = rest.slice(1, trailingSlash ? -1 : undefined).split("/");
  const segments: string[] = [];
  for (const part of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return refused("a segment is not valid percent-encoding");
    }
    if (segment === "" || segment === "." || segment === "..") return refused("empty, . and .. segments are not served");
    if (segment.includes("\\") || CONTROL.test(segment)) return refused("backslashes and control characters are not served");
    if (segment.startsWith(".") && segment !== ".well-known") return refused("dot-files are not served");
    segments.push(segment);
  }
  return { ok: true, segments, trailingSlash };
}
