import { z } from "zod";

/** An origin as a browser sends it: `scheme://host[:port]`, nothing more. */
const origin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}, "expected an origin like \"https://app.example\" (scheme, host and port only, no path or trailing slash, no wildcard)");

/**
 * `gateway.cors`: pages of these origins (and only these) may call the gateway from a browser.
 * Off without it: the gateway answers only its own pages.
 */
export const corsConfigSchema = z.strictObject({
  origins: z.array(origin).min(1, "expected at least one origin"),
  /** Whether those pages may send cookies and read answers to requests that carry them. */
  credentials: z.boolean().default(false),
  /** How long a browser may keep a preflight's answer. */
  maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
});

export type CorsConfig = z.output<typeof corsConfigSchema>;
