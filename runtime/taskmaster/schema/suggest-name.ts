import { suggest } from "../../config/index.ts";

/** ` (did you mean "x"?)` when a known name is close to `name`, else an empty string. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const best = suggest(name, [...known]);
  return best ? ` (did you mean "${best}"?)` : "";
}
