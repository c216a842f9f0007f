import { Header, SessionRoute, dbContract, hubContract, taskmasterContract, type ActorContract } from "../../protocol/index.ts";

function targetsOf(contract: ActorContract): Record<string, string> {
  return Object.fromEntries([["actor", contract.actor], ...Object.keys(contract.endpoints).map((e) => [e, contract.target(e)])]);
}

/**
 * The start of the dashboard's script: the built-in actors' names and targets from their
 * contracts and the header names it sends and reads, so the browser code spells none of them
 * itself (`HUB.list` is the hub's list target).
 */
export const CONTRACT_TARGETS = `"use strict";
const HUB = ${JSON.stringify(targetsOf(hubContract))};
const TASKMASTER = ${JSON.stringify(targetsOf(taskmasterContract))};
const DB = ${JSON.stringify(targetsOf(dbContract))};
const WIRE = ${JSON.stringify({ deadline: Header.deadline, traceId: Header.traceId, csrf: Header.csrf, session: SessionRoute.session })};
`;
