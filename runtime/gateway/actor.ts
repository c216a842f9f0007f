/**
 * The gateway as the hub runs it: `FUSE_ACTOR=gateway FUSE_MODULE=<this file>`. Port and host
 * come from `config/fuse.yaml` in `FUSE_HUB_DIR` (free port on 127.0.0.1 without one).
 */
import { ProcessEnv } from "../protocol/index.ts";
import { createGatewayActor, gatewayOptionsFromConfig } from "./gateway-actor.ts";

export default createGatewayActor(() => gatewayOptionsFromConfig(process.env[ProcessEnv.hubDir]));
