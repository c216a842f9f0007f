import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { REPO } from "./hub.ts";

const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's chromium, headless, installed the way the set-up script installs it when missing.
 * No sandbox (tests run in containers without user namespaces), and none of the background
 * traffic a first run makes.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) execFileSync("node", [path.join(REPO, "scripts/setup.mjs"), "--quiet", "--browser"], { stdio: "inherit" });
  if (!existsSync(CHROMIUM)) throw new Error(`chromium is missing at ${CHROMIUM}; run: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
