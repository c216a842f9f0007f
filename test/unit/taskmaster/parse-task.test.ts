import { describe, expect, it } from "vitest";
import { SchemaError } from "../../../runtime/errors/index.ts";
import { describeDag, parseTask } from "../../../runtime/taskmaster/index.ts";

const file = "tasks/demo.json";

function problem(value: unknown, text?: string): SchemaError {
  try {
    parseTask(value, { file, ...(text ? { text } : {}) });
  } catch (error) {
    if (error instanceof SchemaError) return error;
    throw error;
  }
  throw new Error("expected a SchemaError");
}

const task = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ name: "demo", steps, ...extra });

describe("parseTask", () => {
  it("finds data dependencies in expressions, so needs is only for ordering", () => {
    const parsed = parseTask(
      task([
        { id: "a", call: "greeter.hello" },
        { id: "b", call: "greeter.hello" },
        { id: "c", call: "counter.get", input: "{ 'key': $steps.a.greeting & $steps.b[0].greeting }", needs: ["a"] },
        { id: "d", call: "counter.get", when: "$steps.c.count > 1", needs: ["b"] },
      ]),
      { file },
    );
    expect(parsed.byId.get("c")).toMatchObject({ reads: ["a", "b"], after: ["a", "b"] });
    expect(parsed.byId.get("d")).toMatchObject({ reads: ["c"], after: ["b", "c"] });
    expect(describeDag(parsed).edges).toEqual([
      { from: "a", to: "c", kind: "data" },
      { from: "b", to: "c", kind: "data" },
      { from: "b", to: "d", kind: "order" },
      { from: "c", to: "d", kind: "data" },
    ]);
    expect(describeDag(parsed).nodes.map((n) => n.level)).toEqual([0, 0, 1, 2]);
  });

  it("applies the defaults written in the schema", () => {
    const parsed = parseTask(task([{ id: "a", call: "greeter.hello" }]), { file });
    expect(parsed.steps[0]).toMatchObject({ timeoutMs: 30_000, onError: [], trigger: "all_succeeded", retry: { attempts: 1, backoffMs: 100, factor: 2, maxBackoffMs: 30_000 } });
  });

  it("refuses a step reading an unknown step, naming file, line and step", () => {
    const value = task([
      { id: "send", call: "greeter.hello" },
      { id: "notify", call: "greeter.hello", input: "{ 'name': $steps.sned.greeting }" },
    ]);
    const error = problem(value, JSON.stringify(value, null, 2));
    expect(error.code).toBe("TASK_SCHEMA_INVALID");
    expect(error.message).toMatchInlineSnapshot(`"tasks/demo.json:8 steps[1] "notify": reads the output of unknown step "sned" (did you mean "send"?)"`);
    expect(error.details).toEqual({ file, field: "steps[1]", line: 8, step: "notify" });
  });

  it("refuses needs naming an unknown step", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello", needs: ["b"] }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".needs[0]: needs unknown step "b""`,
    );
  });

  it("refuses a cycle and names it", () => {
    const error = problem(
      task([
        { id: "a", call: "greeter.hello", input: "$steps.c" },
        { id: "b", call: "greeter.hello", needs: ["a"] },
        { id: "c", call: "greeter.hello", input: "$steps.b" },
      ]),
    );
    expect(error.message).toMatchInlineSnapshot(`"tasks/demo.json steps[0] "a": steps form a cycle: a → c → b → a"`);
  });

  it("refuses a step that needs itself", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello", needs: ["a"] }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".needs[0]: step "a" cannot depend on itself"`,
    );
  });

  it("refuses a bad expression with where it went wrong", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello", input: "{ 'name': }" }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".input: bad expression at character 11: The symbol "}" cannot be used as a unary operator"`,
    );
  });

  it("refuses reading $steps other than as $steps.<id>, which would hide a dependency", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello", input: "$lookup($steps, 'b')" }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".input: bad expression at character 14: read step outputs as $steps.<id>, so the step's dependencies are known"`,
    );
  });

  it("refuses $item outside a fan-out", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello", input: "$item" }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".input: $item and $index exist only in a step with forEach"`,
    );
  });

  it("refuses unknown keys with a hint", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello", need: ["b"] }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".need: unknown key "need" (did you mean "needs"?)"`,
    );
  });

  it("refuses a call that is not actor.endpoint", () => {
    expect(problem(task([{ id: "a", call: "greeter" }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[0] "a".call: expected "actor.endpoint""`,
    );
  });

  it("refuses duplicate step ids", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello" }, { id: "a", call: "greeter.hello" }])).message).toMatchInlineSnapshot(
      `"tasks/demo.json steps[1] "a".id: duplicate step id "a""`,
    );
  });

  it("refuses an output reading an unknown step", () => {
    expect(problem(task([{ id: "a", call: "greeter.hello" }], { output: "$steps.b" })).message).toMatchInlineSnapshot(
      `"tasks/demo.json output: reads the output of unknown step "b""`,
    );
  });

  it("reports every problem of a file, not only the first, each with its line", () => {
    const value = task([
      { id: "a", call: "greeter.hello", input: "{ 'x': }" },
      { id: "b", call: "greeter.hello", needs: ["zz"] },
      { id: "c", call: "greeter.hello", input: "$steps.nope" },
    ]);
    const error = problem(value, JSON.stringify(value, null, 2));
    expect(error.message).toMatchInlineSnapshot(
      `"3 problems: tasks/demo.json:7 steps[0] "a".input: bad expression at character 8: The symbol "}" cannot be used as a unary operator; tasks/demo.json:13 steps[1] "b".needs[0]: needs unknown step "zz"; tasks/demo.json:16 steps[2] "c": reads the output of unknown step "nope""`,
    );
    expect((error.details as { problems: unknown[] }).problems).toHaveLength(3);
  });

  it("reports every unknown key, with a did-you-mean for retry keys too", () => {
    const value = task([{ id: "a", call: "greeter.hello", retry: { attempt: 3, backofMs: 10 }, timeout: 5 }]);
    const error = problem(value, JSON.stringify(value, null, 2));
    expect(error.message).toMatchInlineSnapshot(
      `"3 problems: tasks/demo.json:8 steps[0] "a".retry.attempt: unknown key "attempt" (did you mean "attempts"?); tasks/demo.json:9 steps[0] "a".retry.backofMs: unknown key "backofMs" (did you mean "backoffMs"?); tasks/demo.json:11 steps[0] "a".timeout: unknown key "timeout" (did you mean "timeoutMs"?)"`,
    );
  });

  it("checks the new step kinds: one thing per step, a wait needs ms or until, a goto names a step", () => {
    const error = problem(
      task([
        { id: "a", wait: { ms: 5 }, await: { event: "x.y" } },
        { id: "b", wait: {} },
        { id: "c", call: "greeter.hello", onError: [{ on: ["OUT_OF_STOCK"], goto: "restok" }] },
        { id: "restock", call: "greeter.hello" },
        { id: "d" },
      ]),
    );
    expect(error.message).toMatchInlineSnapshot(
      `"4 problems: tasks/demo.json steps[0] "a".await: a step does one thing: it has both "wait" and "await"; tasks/demo.json steps[1] "b".wait: a wait needs exactly one of ms or until; tasks/demo.json steps[4] "d": a step needs one of call, wait, await, signal or task; tasks/demo.json steps[2] "c".onError[0].goto: unknown step "restok" (did you mean "restock"?)"`,
    );
  });

  it("links a goto handler after the step it handles, and a step reading $errors runs whatever happened by default", () => {
    const parsed = parseTask(
      task([
        { id: "reserve", call: "shop.reserve", onError: [{ on: ["OUT_OF_STOCK"], goto: "restock" }, { then: "continue" }] },
        { id: "restock", call: "shop.restock" },
        { id: "report", call: "shop.report", input: "{ 'code': $errors.reserve.code }" },
      ]),
      { file },
    );
    expect(parsed.byId.get("restock")).toMatchObject({ catches: ["reserve"], after: ["reserve"] });
    expect(parsed.byId.get("report")).toMatchObject({ errorReads: ["reserve"], after: ["reserve"], trigger: "all_done" });
    expect(parsed.byId.get("reserve")!.onError).toEqual([{ on: ["OUT_OF_STOCK"], goto: "restock", then: "continue" }, { then: "continue" }]);
    expect(describeDag(parsed).edges).toContainEqual({ from: "reserve", to: "restock", kind: "catch" });
  });
});
