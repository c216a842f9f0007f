import { describe, expect, it } from "vitest";
import { parseConfig, safeParseConfig } from "../../../runtime/config/index.ts";

const FILE = "config/fuse.yaml";
const limits = (body: string) => `discover: false\ntaskmaster:\n  limits:\n${body}`;
const problem = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return { message: result.error.message, details: result.error.details };
};

describe("taskmaster.limits in the config", () => {
  it("reads concurrency and perSecond per actor.endpoint; none by default", () => {
    const config = parseConfig(limits('    payments.charge: { concurrency: 10, perSecond: 50 }\n    mail.send: { perSecond: 2.5 }\n'), FILE);
    expect(config.taskmaster.limits).toEqual({ "payments.charge": { concurrency: 10, perSecond: 50 }, "mail.send": { perSecond: 2.5 } });
    expect(parseConfig("discover: false\n", FILE).taskmaster.limits).toEqual({});
  });

  it("refuses bad values, naming file, line and key", () => {
    expect(problem(limits("    payments.charge:\n      concurrency: 0\n")).details).toEqual({ file: FILE, line: 5, key: "taskmaster.limits.payments.charge.concurrency" });
    expect(problem(limits("    payments.charge:\n      concurrency: 2.5\n")).details).toMatchObject({ line: 5, key: "taskmaster.limits.payments.charge.concurrency" });
    expect(problem(limits("    payments.charge:\n      perSecond: -1\n")).details).toMatchObject({ line: 5, key: "taskmaster.limits.payments.charge.perSecond" });
  });

  it("refuses a limit with neither key, an unknown key, and a key that is not actor.endpoint", () => {
    expect(problem(limits("    payments.charge: {}\n")).message).toMatch(/taskmaster\.limits\.payments\.charge: give concurrency, perSecond or both/);
    expect(problem(limits("    payments.charge: { concurency: 3 }\n")).message).toMatch(/^config\/fuse\.yaml:4 taskmaster\.limits\.payments\.charge\.concurency: unknown key, did you mean "concurrency"\?/);
    expect(problem(limits("    charge: { concurrency: 3 }\n")).message).toMatch(/taskmaster\.limits\.charge: .*actor\.endpoint/);
  });
});
