export type { ExitInfo, LaunchSpec, LaunchedProcess, ProcessLauncher } from "./launcher.ts";
export { LocalLauncher } from "./local-launcher.ts";
export { bundleActor } from "./actor-bundle.ts";
export { describeActor, describePlans, type DescribedUses } from "./describe-actor.ts";
export { identify, isSameProcess, signalIfSame } from "./process-identity.ts";
