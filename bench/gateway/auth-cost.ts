// The gateway's authentication alone, in one process: the time `authenticate` takes per request
// with no credential configured, with an API key and with a JWT (both verified once, then
// served from the cache by their text, as the gateway serves repeated requests). A steady figure
// beside the HTTP rounds, whose noise on a shared machine is larger than this cost.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SignJWT } from "jose";
import { createAuthenticator, type Authenticator } from "../../runtime/gateway/auth/authenticator.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { apiKeyFile, createApiKey } from "../../runtime/security/index.ts";

const CALLS = 200_000;
const SECRET = "bench-secret-of-at-least-32-characters";
const log = createLogger({ actor: "bench", level: "silent" });
const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bench-auth-"));
const { key } = createApiKey(apiKeyFile(dir), { name: "bench", roles: ["user"] });
const jwt = await new SignJWT({ roles: ["user"] }).setProtectedHeader({ alg: "HS256" }).setSubject("bench").setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));
const withAuth = createAuthenticator({ hubDir: dir, auth: { keys: true, jwt: { secret: SECRET, rolesClaim: "roles", clockToleranceMs: 0 } }, log });
const without = createAuthenticator({ hubDir: dir, auth: undefined, log });
const request = (headers: Record<string, string>) => ({ header: (name: string) => headers[name], address: "127.0.0.1" });

async function usPerCall(auth: Authenticator, req: ReturnType<typeof request>): Promise<number> {
  for (let i = 0; i < CALLS / 10; i++) await auth.authenticate(req);
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await auth.authenticate(req);
  return Number(process.hrtime.bigint() - start) / CALLS / 1000;
}

const row = {
  none_us: +(await usPerCall(without, request({}))).toFixed(2),
  key_us: +(await usPerCall(withAuth, request({ authorization: `Bearer ${key}` }))).toFixed(2),
  jwt_us: +(await usPerCall(withAuth, request({ authorization: `Bearer ${jwt}` }))).toFixed(2),
};
withAuth.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`RESULT ${JSON.stringify(row)}\n`);
process.exit(0);
