import { createHash } from "node:crypto";

/**
 * Response headers that keep the gateway's own origin from running what it did not write: its
 * HTML pages run only their own script and style and are never framed, and a stored file is
 * always a download, never a page.
 */

export const COMMON_SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // No other site may embed what the gateway answers (a file as an image or script).
  "cross-origin-resource-policy": "same-origin",
} as const;
const COMMON = COMMON_SECURITY_HEADERS;

/** A file downloaded from `/files/<name>`: inert on this origin whatever its type says. */
export function downloadHeaders(name: string): Record<string, string> {
  const base = name.slice(name.lastIndexOf("/") + 1) || "download";
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return {
    ...COMMON,
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`,
    // Even opened in place (some viewers ignore attachment), an HTML file runs sandboxed, as
    // an opaque origin that can reach nothing of the gateway's.
    "content-security-policy": "sandbox; default-src 'none'",
  };
}

/** The dashboard's script, served as a file of the gateway's own. */
export const SCRIPT_HEADERS: Record<string, string> = { ...COMMON };

const INLINE = /<(script|style)(\s[^>]*)?>([\s\S]*?)<\/\1>/gi;

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * The CSP of an HTML page: scripts from the gateway itself, inline `<script>` and `<style>`
 * blocks allowed by their hash (nothing injected can run), fetches to the gateway only, no
 * framing, forms posting only to the gateway.
 */
function policyOf(html: string): string {
  const scripts: string[] = [];
  const styles: string[] = [];
  for (const [, tag, attributes = "", body = ""] of html.matchAll(INLINE)) {
    if (/\ssrc\s*=/i.test(attributes)) continue;
    (tag!.toLowerCase() === "script" ? scripts : styles).push(hashOf(body));
  }
  return [
    "default-src 'none'",
    `script-src 'self'${scripts.map((h) => ` ${h}`).join("")}`,
    `style-src${styles.length ? styles.map((h) => ` ${h}`).join("") : " 'none'"}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const policies = new Map<string, Record<string, string>>();

/** Headers of an HTML page of the gateway (dashboard, docs), kept per page text. */
export function pageHeaders(html: string): Record<string, string> {
  let headers = policies.get(html);
  if (!headers) {
    // The docs page changes with the hub's endpoints: keep only the few latest texts.
    if (policies.size >= 8) policies.clear();
    headers = { ...COMMON, "content-security-policy": policyOf(html), "x-frame-options": "DENY", "cross-origin-opener-policy": "same-origin" };
    policies.set(html, headers);
  }
  return headers;
}
