import type { ActorStatus } from "../../protocol/index.ts";
import { colour } from "../output.ts";

/**
 * `fuse actors ls`'s REFUSED cell: requests each endpoint's bulkhead refused (OVERLOADED) and
 * calls this actor's open circuits refused (CIRCUIT_OPEN), as `slow 3 overloaded`; `-` for none.
 */
export function refusedCell(a: ActorStatus): string {
  const parts = [
    ...(a.guards?.bulkheads ?? []).filter((b) => b.overloaded).map((b) => `${b.endpoint} ${b.overloaded} overloaded`),
    ...(a.guards?.circuits ?? []).filter((c) => c.rejected).map((c) => `${c.target} ${c.rejected} circuit-open`),
  ];
  return parts.length ? colour.red(parts.join(", ")) : "-";
}

/** The CIRCUITS cell: each target this actor's calls hold a circuit for that is not closed, with its state. */
export function circuitsCell(a: ActorStatus): string {
  const open = (a.guards?.circuits ?? []).filter((c) => c.state !== "closed");
  if (!open.length) return "-";
  return open.map((c) => (c.state === "open" ? colour.red(`${c.target} open`) : colour.yellow(`${c.target} half-open`))).join(", ");
}
