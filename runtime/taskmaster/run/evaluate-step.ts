import { FuseError } from "../../errors/index.ts";
import { TaskErrorCode } from "../../protocol/index.ts";
import type { Bindings, Expression } from "../schema/expression.ts";
import type { StepDefinition } from "../schema/task-definition.ts";

/** Evaluates one of the step's expressions. @throws EXPRESSION_FAILED naming the step, the field and the expression. */
export async function evaluate(step: StepDefinition, key: string, expr: Expression, bindings: Bindings): Promise<unknown> {
  try {
    return await expr.evaluate(bindings);
  } catch (error) {
    const e = error as { message?: string };
    const source = expr.source.length > 200 ? `${expr.source.slice(0, 200)}…` : expr.source;
    throw new FuseError(TaskErrorCode.EXPRESSION_FAILED, `step "${step.id}" ${key}: expression ${JSON.stringify(source)} failed: ${e.message ?? String(error)}`, {
      details: { step: step.id, field: key, expression: source },
      cause: error,
    });
  }
}

export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

