import { LineCounter, parseDocument, type Document } from "yaml";

/** Finds the line of a path in the JSON text of a task file (JSON is YAML, so `yaml` gives ranges). */
export class JsonLines {
  private readonly counter = new LineCounter();
  private readonly doc: Document | undefined;

  constructor(text: string | undefined) {
    this.doc = text === undefined ? undefined : parseDocument(text, { lineCounter: this.counter });
  }

  /** The 1-based line of the node at `path`, or of its closest parent. */
  lineOf(path: readonly PropertyKey[]): number | undefined {
    if (!this.doc) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth).map((p) => (typeof p === "number" ? p : String(p)));
      const node = (sub.length ? this.doc.getIn(sub, true) : this.doc.contents) as { range?: [number, number, number] } | null | undefined;
      if (node?.range) return this.counter.linePos(node.range[0]).line;
    }
    return undefined;
  }
}
