import { describe, expect, it } from "vitest";
import { parseConfig, resolveActors, safeParseConfig } from "../../../runtime/config/index.ts";
import { ProcessEnv } from "../../../runtime/protocol/index.ts";

const FILE = "config/fuse.yaml";
const actor = (circuit: string) => `discover: false\nactors:\n  front:\n    module: test/fixtures/actors/guarded.ts\n    circuit:\n${circuit}`;
const problem = (text: string) => {
  const result = safeParseConfig(text, FILE);
  if (result.ok) throw new Error("expected an error");
  return { message: result.error.message, code: result.error.code, details: result.error.details };
};

describe("an actor's circuit in the config", () => {
  it("reaches the actor's process in its environment (FUSE_CIRCUIT)", () => {
    const config = parseConfig(actor("      errorRate: 0.25\n      minRequests: 4\n      openMs: 2000\n"), FILE);
    expect(config.actors.front!.circuit).toEqual({ errorRate: 0.25, minRequests: 4, openMs: 2000 });
    const [plan] = resolveActors(config, process.cwd());
    expect(JSON.parse(plan!.env[ProcessEnv.circuit]!)).toEqual({ errorRate: 0.25, minRequests: 4, openMs: 2000 });
  });

  it("is absent from the environment of an actor without one", () => {
    const [plan] = resolveActors(parseConfig("discover: false\nactors:\n  front:\n    module: test/fixtures/actors/guarded.ts\n", FILE), process.cwd());
    expect(plan!.env[ProcessEnv.circuit]).toBeUndefined();
  });

  it("refuses a rate above 1, naming file, line and key", () => {
    const { message, code, details } = problem(actor("      minRequests: 4\n      errorRate: 1.5\n"));
    expect(code).toBe("CONFIG_INVALID");
    expect(details).toEqual({ file: FILE, line: 7, key: "actors.front.circuit.errorRate" });
    expect(message).toMatch(/^config\/fuse\.yaml:7 actors\.front\.circuit\.errorRate: /);
  });

  it("refuses a duration that is not a positive whole number of ms", () => {
    expect(problem(actor("      openMs: 0\n")).details).toEqual({ file: FILE, line: 6, key: "actors.front.circuit.openMs" });
    expect(problem(actor("      windowMs: 1.5\n")).details).toEqual({ file: FILE, line: 6, key: "actors.front.circuit.windowMs" });
    expect(problem(actor("      probes: \"two\"\n")).details).toEqual({ file: FILE, line: 6, key: "actors.front.circuit.probes" });
  });

  it("refuses an unknown key with a hint", () => {
    expect(problem(actor("      openMS: 2000\n")).message).toBe('config/fuse.yaml:6 actors.front.circuit.openMS: unknown key, did you mean "openMs"?');
  });

  it("refuses a circuit that is not a mapping", () => {
    expect(problem("actors:\n  front:\n    circuit: true\n").details).toEqual({ file: FILE, line: 3, key: "actors.front.circuit" });
  });
});
