import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LOGIN_LINKS_DIR, type LoginLinkRecord } from "../protocol/index.ts";

/** How long a sign-in link of `fuse dashboard` may wait to be opened. */
export const LOGIN_LINK_TTL_MS = 120_000;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

// The file is named by the token's hash: a listing of the folder does not give away a usable link.
const fileOf = (hubDir: string, token: string) => path.join(hubDir, LOGIN_LINKS_DIR, `${createHash("sha256").update(token).digest("hex")}.json`);

/** Deletes links past their time, so unused ones do not pile up. */
function prune(dir: string, now: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const record = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as LoginLinkRecord;
      if (record.expiresAt <= now) unlinkSync(path.join(dir, name));
    } catch {
      // Taken or deleted meanwhile by another reader: nothing to prune.
    }
  }
}

/**
 * Makes a one-time sign-in link's token for `principalId` (what `fuse dashboard` does): a file
 * of the hub folder (0600 in a 0700 folder), so only the folder's owner, who holds the hub's keys
 * anyway, can make one. Returns the token; the link is `<gateway>/auth/link/<token>`.
 */
export function createLoginLink(hubDir: string, principalId: string, now = Date.now(), ttlMs = LOGIN_LINK_TTL_MS): string {
  const dir = path.join(hubDir, LOGIN_LINKS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  prune(dir, now);
  const token = randomBytes(32).toString("base64url");
  const record: LoginLinkRecord = { expiresAt: now + ttlMs, principalId };
  writeFileSync(fileOf(hubDir, token), JSON.stringify(record), { mode: 0o600, flag: "wx" });
  return token;
}

/**
 * Uses a sign-in link: the principal id it was made for, or undefined when the token is unknown,
 * used already or expired. The file is deleted before it is trusted, so of two uses at once
 * only the one whose delete succeeded gets the session.
 */
export function consumeLoginLink(hubDir: string, token: string, now = Date.now()): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  const file = fileOf(hubDir, token);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
    unlinkSync(file);
  } catch {
    return undefined;
  }
  prune(path.dirname(file), now);
  try {
    const record = JSON.parse(text) as LoginLinkRecord;
    return typeof record.principalId === "string" && record.expiresAt > now ? record.principalId : undefined;
  } catch {
    return undefined;
  }
}
