import type { Principal } from "../../protocol/index.ts";

/**
 * Credentials verified lately, by their text, so that a client sending the same key or JWT
 * again costs a map lookup rather than a hash or a signature check. Bounded: past `max`
 * entries the oldest go first. An entry lives until `until` (at most `ttlMs`, never past the
 * credential's own expiry); `clear()` drops them all when the keys change.
 */
export class VerifiedCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly max = 10_000,
    private readonly ttlMs = 60_000,
  ) {}

  get(text: string, now = Date.now()): Principal | undefined {
    const entry = this.entries.get(text);
    if (!entry) return undefined;
    if (entry.until > now) return entry.principal;
    this.entries.delete(text);
    return undefined;
  }

  /** Keeps `principal` for `text` until `expires` (epoch ms; undefined: no expiry of its own), within the TTL. */
  set(text: string, principal: Principal, expires: number | undefined, now = Date.now()): void {
    const until = Math.min(now + this.ttlMs, expires ?? Infinity);
    if (until <= now) return;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(text, { principal, until });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
