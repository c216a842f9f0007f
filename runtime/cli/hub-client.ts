import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { NatsTransport, callEndpoint, connectNats } from "../bus/index.ts";
import { hubRunning, readState } from "../hub/index.ts";
import { FuseError, UnavailableError, ValidationError } from "../errors/index.ts";
import {
  ErrorCode,
  Header,
  STATE_FILE,
  endpointSubject,
  newTraceId,
  parseTarget,
  type ActorContract,
  type ContractInput,
  type ContractOutput,
  type HubState,
} from "../protocol/index.ts";

export interface HubCallOptions {
  timeoutMs?: number;
  traceId?: string;
}
export type HubCall = (target: string, input?: unknown, options?: HubCallOptions) => Promise<unknown>;

/** Calls a built-in actor's endpoint through its contract, so input and reply are typed from the one declaration. */
export function callContract<TContract extends ActorContract, TEndpoint extends keyof TContract["endpoints"] & string>(
  call: HubCall,
  contract: TContract,
  endpoint: TEndpoint,
  input: ContractInput<TContract["endpoints"][TEndpoint]>,
  options?: HubCallOptions,
): Promise<ContractOutput<TContract["endpoints"][TEndpoint]>> {
  return call(contract.target(endpoint), input, options) as Promise<ContractOutput<TContract["endpoints"][TEndpoint]>>;
}

/** HUB_NOT_RUNNING for a folder without a state file, saying how to start a hub. */
export function noHubError(dir: string): UnavailableError {
  return new UnavailableError(`no hub is running in ${dir} (no ${STATE_FILE}); start one with \`fuse up\``, { code: ErrorCode.HUB_NOT_RUNNING });
}

/** The running hub's state file, or a clear error saying there is none and how to start one. */
export function readHubState(dir: string): HubState {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) throw noHubError(dir);
  const state = JSON.parse(readFileSync(file, "utf8")) as HubState;
  if (!hubRunning(state)) {
    throw new UnavailableError(`the hub of ${dir} (pid ${state.pid}) is not running any more; start one with \`fuse up\``, {
      code: ErrorCode.HUB_NOT_RUNNING,
    });
  }
  return state;
}

/** The hub's bus; when it cannot be reached and the hub says its nats-server is down, that is the error. */
async function connectToHub(dir: string, state: HubState) {
  try {
    return await connectNats({ url: state.natsUrl, name: "fuse-cli", connectTimeoutMs: 3000 });
  } catch (error) {
    const since = readState(dir)?.busDownSince;
    if (since === undefined) throw error;
    const at = new Date(since).toISOString();
    throw new UnavailableError(`the bus of the hub in ${dir} is down since ${at} (${Math.round((Date.now() - since) / 1000)} s); the hub (pid ${state.pid}) is restarting its nats-server`, { cause: error });
  }
}

/**
 * Connects to the hub of `dir` and runs `fn` with a function that calls `"actor.endpoint"`
 * there; closes the connection afterwards.
 * @throws HUB_NOT_RUNNING when no hub runs in `dir`.
 */
export async function withHub<T>(dir: string, fn: (call: HubCall, state: HubState) => Promise<T>): Promise<T> {
  const state = readHubState(dir);
  const transport = new NatsTransport(await connectToHub(dir, state));
  const call: HubCall = (target, input = {}, options = {}) => {
    const parsed = parseTarget(target);
    if (!parsed) throw new ValidationError(`"${target}" is not of the form actor.endpoint`);
    const timeoutMs = options.timeoutMs ?? 30_000;
    return callEndpoint(transport, { subject: endpointSubject(state.prefix, parsed.actor, parsed.endpoint), ...parsed }, input, {
      headers: {
        [Header.traceId]: options.traceId ?? newTraceId(),
        [Header.deadline]: String(Date.now() + timeoutMs),
        [Header.caller]: "cli",
      },
      timeoutMs,
    });
  };
  try {
    return await fn(call, state);
  } finally {
    await transport.close().catch(() => undefined);
  }
}

export { FuseError };
