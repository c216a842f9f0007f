export type { ExitInfo, LaunchSpec, LaunchedProcess, ProcessLauncher } from "./launcher.ts";
export { LocalLauncher } from "./local-launcher.ts";
export { bundleActor } from "./actor-bundle.ts";
export { identify, isSameProcess, signalIfSame } from "./process-identity.ts";
