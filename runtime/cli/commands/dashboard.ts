import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import os from "node:os";
import path from "node:path";
import { rootCertificates } from "node:tls";
import type { Command } from "commander";
import { UnavailableError } from "../../errors/index.ts";
import { GATEWAY_CERT_FILE, SessionRoute } from "../../protocol/index.ts";
import { LOGIN_LINK_TTL_MS, createLoginLink } from "../../security/index.ts";
import { readHubState } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print } from "../output.ts";

/**
 * Whether the gateway answers `/health`. Over HTTPS the CLI trusts the usual CAs and the hub's
 * own self-signed certificate (`.fuse/tls/gateway.crt`), so it never needs to turn checks off.
 */
function probe(dir: string, url: string): Promise<void> {
  const certFile = path.join(dir, GATEWAY_CERT_FILE);
  const secure = url.startsWith("https:");
  const ca = secure && existsSync(certFile) ? [...rootCertificates, readFileSync(certFile, "utf8")] : undefined;
  return new Promise((resolve, reject) => {
    const options = { timeout: 5000, ...(ca ? { ca } : {}) };
    const done = (res: { statusCode?: number; resume(): void }) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`GET /health answered ${res.statusCode}`));
    };
    const req = secure ? httpsGet(`${url}/health`, options, done) : httpGet(`${url}/health`, options, done);
    req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
    req.on("error", reject);
  });
}

/** Opens `url` in the desktop's browser; false when there is no opener on this machine. */
function openInBrowser(url: string): Promise<boolean> {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  return new Promise((resolve) => {
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.on("error", () => resolve(false));
    child.on("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}

export function registerDashboardCommand(program: Command): void {
  program
    .command("dashboard")
    .description(`open the hub's dashboard signed in, through a one-time link valid ${LOGIN_LINK_TTL_MS / 1000} s`)
    .option("--print-link", "print the link instead of opening a browser")
    .action(async (options: { printLink?: boolean }) => {
      const dir = hubDir(program);
      const state = readHubState(dir);
      if (!state.gatewayUrl) throw new UnavailableError(`the hub of ${dir} runs no gateway (gateway.enabled is false in config/fuse.yaml)`);
      await probe(dir, state.gatewayUrl).catch((error: unknown) => {
        throw new UnavailableError(`the gateway at ${state.gatewayUrl} does not answer: ${(error as Error).message}`, { cause: error });
      });
      // Whoever may write the hub folder owns the hub: the link signs in as its admin.
      const token = createLoginLink(dir, `local:${os.userInfo().username}`);
      const link = `${state.gatewayUrl}${SessionRoute.link}/${token}`;
      if (options.printLink) return print(link);
      const opened = await openInBrowser(link);
      print(opened ? `${colour.green("✓")} opening the dashboard at ${state.gatewayUrl}` : `open this link in a browser (once, within ${LOGIN_LINK_TTL_MS / 1000} s):`);
      if (!opened) print(link);
    });
}
