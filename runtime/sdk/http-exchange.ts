import { ValidationError } from "../errors/index.ts";
import { Header, httpHeader } from "../protocol/index.ts";

/** Options of `ctx.http.setCookie`. */
export interface CookieOptions {
  /** Seconds until the cookie expires; 0 deletes it. Default: a session cookie. */
  maxAge?: number;
  /** Default `/`. */
  path?: string;
  domain?: string;
  /** Default false (true is required with `sameSite: "None"`). */
  secure?: boolean;
  /** Hidden from the page's scripts. Default true. */
  httpOnly?: boolean;
  /** Default `Lax`. */
  sameSite?: "Strict" | "Lax" | "None";
}

/**
 * The HTTP side of a request that came through the gateway: method, path, the allow-listed
 * request headers and cookies, and the cookies and headers of the HTTP response. Undefined
 * (`ctx.http`) for requests that did not come over HTTP.
 */
export interface HttpInfo {
  /** The HTTP method, e.g. `GET`. */
  readonly method: string;
  /** The request path without the query, e.g. `/hello/ada`. */
  readonly path: string;
  /**
   * A request header, by name in any case, when the gateway lets it through (its allow list).
   * @example const lang = ctx.http?.header("accept-language");
   */
  header(name: string): string | undefined;
  /** The request's cookies by name. */
  readonly cookies: Readonly<Record<string, string>>;
  /**
   * Sets a cookie on the HTTP response (also on error responses).
   * @throws VALIDATION_FAILED when the name is not a cookie token.
   * @example ctx.http?.setCookie("seen", "1", { maxAge: 3600 });
   */
  setCookie(name: string, value: string, options?: CookieOptions): void;
  /**
   * Sets a header of the HTTP response; the gateway passes on only the names it allows (by
   * default cache-control, content-disposition, content-language, etag, last-modified, location and vary).
   * @throws VALIDATION_FAILED when the name is not a header token.
   * @example ctx.http?.setHeader("cache-control", "no-store");
   */
  setHeader(name: string, value: string): void;
}

type HeaderReader = { header(name: string): string | undefined };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNSAFE_VALUE = /[\r\n\0]/;

function parseCookies(text: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!text) return cookies;
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // a value that is not percent-encoded stays as sent
    }
    if (name && !(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!TOKEN.test(name)) throw new ValidationError(`cookie name ${JSON.stringify(name)}: expected a token (letters, digits, !#$%&'*+-.^_\`|~)`);
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? "/"}`];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.floor(options.maxAge)}`);
  if (options.domain) parts.push(`Domain=${options.domain}`);
  if (options.secure) parts.push("Secure");
  if (options.httpOnly ?? true) parts.push("HttpOnly");
  parts.push(`SameSite=${options.sameSite ?? "Lax"}`);
  const cookie = parts.join("; ");
  if (UNSAFE_VALUE.test(cookie)) throw new ValidationError(`cookie ${JSON.stringify(name)}: path and domain must be on one line`);
  return cookie;
}

/** `ctx.http` of one request: reads the gateway's `Fuse-Http-*` headers, collects reply headers. */
export class HttpExchange implements HttpInfo {
  readonly method: string;
  readonly path: string;
  private parsedCookies: Record<string, string> | undefined;
  private setCookies: string[] | undefined;
  private reply: Record<string, string> | undefined;

  constructor(private readonly request: HeaderReader) {
    this.method = request.header(Header.httpMethod) ?? "";
    this.path = request.header(Header.httpPath) ?? "";
  }

  /** The exchange of a request that came over HTTP; undefined for any other request. */
  static of(request: HeaderReader): HttpExchange | undefined {
    return request.header(Header.httpMethod) ? new HttpExchange(request) : undefined;
  }

  header(name: string): string | undefined {
    return this.request.header(httpHeader(name));
  }

  get cookies(): Readonly<Record<string, string>> {
    return (this.parsedCookies ??= parseCookies(this.header("cookie")));
  }

  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    (this.setCookies ??= []).push(serializeCookie(name, value, options));
  }

  setHeader(name: string, value: string): void {
    if (!TOKEN.test(name)) throw new ValidationError(`header name ${JSON.stringify(name)}: expected a token`);
    (this.reply ??= {})[httpHeader(name)] = value.replace(/[\r\n]+/g, " ");
  }

  /** The bus headers of the reply, or undefined when the handler set none. */
  replyHeaders(): Record<string, string> | undefined {
    if (!this.setCookies) return this.reply;
    return { ...this.reply, [Header.httpSetCookie]: JSON.stringify(this.setCookies) };
  }
}
