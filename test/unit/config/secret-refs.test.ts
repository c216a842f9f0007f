import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";
import { redactSecrets } from "../../../runtime/log/index.ts";

const FILE = "config/fuse.yaml";
const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-secrets-"));
writeFileSync(path.join(dir, "pw"), "from-a-file-42\n");
const env = { PAY_KEY: "sk_live_abc123", DB_USER: "ada" };

describe("config secret references", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves ${env:NAME} and ${file:path} (relative to the hub folder, final newline dropped), whole or inside a value", () => {
    const config = parseConfig(
      "actors:\n  pay:\n    env:\n      KEY: ${env:PAY_KEY}\n      DSN: libsql://${env:DB_USER}:${file:pw}@db\n      LITERAL: $${env:PAY_KEY}\n",
      FILE,
      { env, baseDir: dir },
    );
    expect(config.actors.pay!.env).toEqual({ KEY: "sk_live_abc123", DSN: "libsql://ada:from-a-file-42@db", LITERAL: "${env:PAY_KEY}" });
  });

  it("hides every resolved secret from later log lines of the process, in raw and JSON-escaped form", () => {
    parseConfig("actors:\n  pay:\n    env:\n      KEY: ${env:PAY_KEY}\n", FILE, { env });
    expect(redactSecrets(`{"msg":"paying with sk_live_abc123 now"}`)).toBe(`{"msg":"paying with [REDACTED] now"}`);
    // Short values (a user name) are not secrets worth blanking across every line.
    expect(redactSecrets("user ada")).toBe("user ada");
  });

  it("stops with an error naming file, line, key and the missing variable", () => {
    const result = safeParseConfig("logging:\n  level: info\nactors:\n  pay:\n    env:\n      KEY: ${env:NOPE_NOT_SET}\n", FILE, { env });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toBe("config/fuse.yaml:6 actors.pay.env.KEY: ${env:NOPE_NOT_SET}: environment variable NOPE_NOT_SET is not set");
    expect(!result.ok && result.error.code).toBe("CONFIG_INVALID");
  });

  it("stops with an error naming the file a reference could not read", () => {
    const result = safeParseConfig("actors:\n  pay:\n    env:\n      KEY: ${file:missing/key.pem}\n", FILE, { baseDir: dir });
    expect(!result.ok && result.error.message).toBe(`config/fuse.yaml:4 actors.pay.env.KEY: \${file:missing/key.pem}: cannot read ${path.join(dir, "missing/key.pem")}: no such file`);
  });

  it("refuses a reference that is not a variable name", () => {
    const result = safeParseConfig("prefix: ${env:1BAD}\n", FILE, { env });
    expect(!result.ok && result.error.message).toBe("config/fuse.yaml:1 prefix: ${env:1BAD}: not an environment variable name");
  });
});
