import { callEndpoint, type NatsTransport } from "../../bus/index.ts";
import type { ScheduleConfig } from "../../config/index.ts";
import { BuiltinActor, Header, endpointSubject, newTraceId, taskmasterContract } from "../../protocol/index.ts";

const SCHEDULED_TIMEOUT_MS = 10 * 60_000;

/** One scheduled run: a call of its endpoint, or a task run waited for, with a fresh trace. */
export async function runScheduled(transport: NatsTransport, prefix: string, name: string, schedule: ScheduleConfig): Promise<void> {
  const [actor, endpoint] = schedule.call ? schedule.call.split(".") : [taskmasterContract.actor, "run"];
  const input = schedule.call ? schedule.input : { task: schedule.task, input: schedule.input, wait: true };
  await callEndpoint(transport, { subject: endpointSubject(prefix, actor!, endpoint!), actor: actor!, endpoint: endpoint! }, input, {
    headers: {
      [Header.traceId]: newTraceId(),
      [Header.deadline]: String(Date.now() + SCHEDULED_TIMEOUT_MS),
      [Header.caller]: `${BuiltinActor.hub}/schedule/${name}`,
    },
    timeoutMs: SCHEDULED_TIMEOUT_MS,
  });
}
