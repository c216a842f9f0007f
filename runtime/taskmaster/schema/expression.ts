import jsonata from "jsonata";

/** What an expression can read. `item` and `index` exist only inside a fan-out. */
export interface Bindings {
  input: unknown;
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

export interface Expression {
  readonly source: string;
  /** Ids of the steps whose output the expression reads (`$steps.<id>`), in order of appearance. */
  readonly refs: readonly string[];
  /** Whether it reads `$item` or `$index`. */
  readonly usesItem: boolean;
  evaluate(bindings: Bindings): Promise<unknown>;
}

/** Why an expression cannot be used; `position` is the 1-based character where known. */
export class ExpressionProblem extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: unknown;
  predicate?: unknown;
  [key: string]: unknown;
}

/** Finds `$steps.<id>` reads; any other use of `$steps` would hide a dependency. */
function collectRefs(node: unknown, refs: Set<string>, found: { item: boolean }): void {
  if (Array.isArray(node)) {
    for (const child of node) collectRefs(child, refs, found);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as AstNode;
  if (n.type === "variable" && (n.value === "item" || n.value === "index")) found.item = true;
  if (n.type === "path" && n.steps?.[0]?.type === "variable" && n.steps[0].value === "steps") {
    const head = n.steps[0];
    const name = n.steps[1];
    if (!head.stages && !head.predicate && name?.type === "name" && typeof name.value === "string") {
      refs.add(name.value);
      collectRefs(n.steps.slice(1), refs, found);
      return;
    }
  }
  if (n.type === "variable" && n.value === "steps") {
    throw new ExpressionProblem("read step outputs as $steps.<id>, so the step's dependencies are known", n.position);
  }
  for (const key in n) if (key !== "value" || typeof n.value === "object") collectRefs(n[key], refs, found);
}

/**
 * Compiles a JSONata expression and finds which step outputs it reads.
 * @throws ExpressionProblem on a syntax error or a dynamic use of `$steps`.
 */
export function compileExpression(source: string): Expression {
  let compiled: ReturnType<typeof jsonata>;
  try {
    compiled = jsonata(source);
  } catch (error) {
    const e = error as { message?: string; position?: number };
    throw new ExpressionProblem(e.message ?? String(error), e.position);
  }
  const refs = new Set<string>();
  const found = { item: false };
  collectRefs(compiled.ast(), refs, found);
  return {
    source,
    refs: [...refs],
    usesItem: found.item,
    evaluate: (b) => compiled.evaluate(b.input, b as unknown as Record<string, unknown>),
  };
}

/** A constant expression, for defaults. */
export function constantExpression(value: unknown): Expression {
  return { source: JSON.stringify(value), refs: [], usesItem: false, evaluate: async () => structuredClone(value) };
}
