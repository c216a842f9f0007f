import { createHash } from "node:crypto";
import { COMMON_SECURITY_HEADERS } from "../http/security-headers.ts";

/**
 * Security headers of a frontend's files. Unlike uploads under `/files` (kept inert: always a
 * download, sandboxed), a frontend folder is the hub owner's own code, so its HTML is served as
 * a page of this origin. Its pages still get a policy that keeps what they did not ship from
 * running: scripts only from this origin or inline blocks present in the file itself (allowed
 * by hash, so markup injected later cannot run), fetches, SSE and WebSockets to this origin
 * only, framing by this origin only.
 */

const INLINE_SCRIPT = /<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi;

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

function policyOf(html: string): string {
  const scripts: string[] = [];
  for (const [, attributes = "", body = ""] of html.matchAll(INLINE_SCRIPT)) {
    if (/\ssrc\s*=/i.test(attributes) || !body.trim()) continue;
    scripts.push(hashOf(body));
  }
  return [
    "default-src 'self'",
    `script-src 'self'${scripts.map((h) => ` ${h}`).join("")}`,
    // Styles are far less dangerous than scripts, and frameworks inject them at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join("; ");
}

/** Headers of a frontend file that is not HTML. */
export const ASSET_SECURITY_HEADERS: Readonly<Record<string, string>> = { ...COMMON_SECURITY_HEADERS };

/** Headers of a frontend's HTML page, from its text (computed once per version of the file). */
export function pageSecurityHeaders(html: string): Record<string, string> {
  return {
    ...COMMON_SECURITY_HEADERS,
    "content-security-policy": policyOf(html),
    "x-frame-options": "SAMEORIGIN",
  };
}
