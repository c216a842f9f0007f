import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCode, dbContract, gatewayContract, hubContract, taskmasterContract, type ActorContract } from "../../../runtime/protocol/index.ts";
import { REPO } from "../../helpers/hub.ts";
import { sourceFiles } from "./import-graph.ts";

// Wire names have one home, runtime/protocol; everything else uses its constants. Templates of
// code for users (runtime/cli/templates) write what a user would, so they are left out.
const runtime = path.join(REPO, "runtime");
const EXEMPT = [path.join(runtime, "protocol") + path.sep, path.join(runtime, "cli", "templates") + path.sep];
const codes = Object.values(ErrorCode).join("|");
const targets = ([hubContract, dbContract, gatewayContract, taskmasterContract] as ActorContract[])
  .flatMap((c) => Object.keys(c.endpoints).map((e) => c.target(e).replace(".", "\\.")))
  .join("|");
const WIRE_LITERALS: [string, RegExp][] = [
  ["a header name", /["'`][^"'`\n]*\b(Fuse-(Trace-Id|Deadline|Caller|Idempotency-Key)|Nats-Service-Error(-Code)?)\b/i],
  ["a discovery subject", /["'`]\$SRV\b/],
  ["a built-in actor's target", new RegExp(`["'\`](${targets})["'\`]`)],
  ["an error code", new RegExp(`["'\`](${codes})["'\`]`)],
  ["the name rule", /\[a-z\]\[a-z0-9-\]\*/],
];

/** The file's code with comments blanked out, keeping line numbers (strings containing `//` survive well enough for this scan). */
function codeOf(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
  return text.split("\n").map((line) => line.replace(/(^|[^:"'`])\/\/.*$/, "$1"));
}

describe("wire literals", () => {
  it("are spelled only in runtime/protocol: header names, discovery subjects, built-in targets, error codes and the name rule", () => {
    const found: string[] = [];
    for (const file of sourceFiles(runtime).filter((f) => !EXEMPT.some((dir) => f.startsWith(dir)))) {
      codeOf(file).forEach((line, i) => {
        for (const [what, pattern] of WIRE_LITERALS) {
          const match = pattern.exec(line);
          if (match) found.push(`${path.relative(REPO, file)}:${i + 1}: ${what} ${match[0]}`);
        }
      });
    }
    expect(found).toEqual([]);
  });
});
