import jsonata from "jsonata";

/** What an expression can read. `item` and `index` exist only inside a fan-out. */
export interface Bindings {
  input: unknown;
  steps: Record<string, unknown>;
  /** `$errors.<id>`: the error of a step that failed and was continued past. */
  errors?: Record<string, unknown>;
  item?: unknown;
  index?: number;
  /** `$event`: the payload of the event an `await` step is matching. */
  event?: unknown;
  /** `$token`: a signal step's token, for its `call`. */
  token?: string;
}

export interface Expression {
  readonly source: string;
  /** Ids of the steps whose output the expression reads (`$steps.<id>`), in order of appearance. */
  readonly refs: readonly string[];
  /** Ids of the steps whose error the expression reads (`$errors.<id>`). */
  readonly errorRefs: readonly string[];
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

interface Found {
  steps: Set<string>;
  errors: Set<string>;
  item: boolean;
}

// The variables whose members name steps: reading them any other way would hide a dependency.
const STEP_MAPS = { steps: "steps", errors: "errors" } as const;

/** Finds `$steps.<id>` and `$errors.<id>` reads. */
function collectRefs(node: unknown, found: Found): void {
  if (Array.isArray(node)) {
    for (const child of node) collectRefs(child, found);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const n = node as AstNode;
  if (n.type === "variable" && (n.value === "item" || n.value === "index")) found.item = true;
  const head = n.type === "path" ? n.steps?.[0] : undefined;
  if (head?.type === "variable" && (head.value === STEP_MAPS.steps || head.value === STEP_MAPS.errors)) {
    const name = n.steps![1];
    if (!head.stages && !head.predicate && name?.type === "name" && typeof name.value === "string") {
      found[head.value as keyof typeof STEP_MAPS].add(name.value);
      collectRefs(n.steps!.slice(1), found);
      return;
    }
  }
  if (n.type === "variable" && (n.value === STEP_MAPS.steps || n.value === STEP_MAPS.errors)) {
    const what = n.value === STEP_MAPS.steps ? "outputs" : "errors";
    throw new ExpressionProblem(`read step ${what} as $${String(n.value)}.<id>, so the step's dependencies are known`, n.position);
  }
  for (const key in n) if (key !== "value" || typeof n.value === "object") collectRefs(n[key], found);
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
  const found: Found = { steps: new Set(), errors: new Set(), item: false };
  collectRefs(compiled.ast(), found);
  return {
    source,
    refs: [...found.steps],
    errorRefs: [...found.errors],
    usesItem: found.item,
    evaluate: (b) => compiled.evaluate(b.input, b as unknown as Record<string, unknown>),
  };
}

/** A constant expression, for defaults. */
export function constantExpression(value: unknown): Expression {
  return { source: JSON.stringify(value), refs: [], errorRefs: [], usesItem: false, evaluate: async () => structuredClone(value) };
}
