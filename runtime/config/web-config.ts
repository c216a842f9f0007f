import { z } from "zod";
import { isGatewayOwnPath } from "../protocol/index.ts";

// A mount is `/` or slash-separated segments of URL-safe characters, no trailing slash.
const MOUNT = /^\/$|^(\/[A-Za-z0-9._~-]+)+$/;

/** Why a folder relative to the hub folder is refused: absolute, or leaving it through `..`. */
function folderProblem(dir: string): string | undefined {
  if (!dir) return "expected a folder relative to the hub folder, e.g. \"public\"";
  if (dir.startsWith("/") || /^[A-Za-z]:[\\/]/.test(dir)) return "expected a folder relative to the hub folder, not an absolute path";
  if (dir.split(/[\\/]/).includes("..")) return "expected a folder inside the hub folder (no \"..\")";
  return undefined;
}

/** One frontend: its folder, and whether unknown paths get its `index.html` (a single-page app). */
export const webMountSchema = z
  .strictObject(
    {
      /** The folder served, relative to the hub folder, e.g. `apps/admin/dist`. */
      dir: z.string(),
      /** Paths that match no file (and no route) get the folder's `index.html`, for client-side routing. Default false. */
      spa: z.boolean().default(false),
    },
    { error: "expected a folder such as \"public\" or { dir, spa }" },
  )
  .superRefine((mount, ctx) => {
    const problem = folderProblem(mount.dir);
    // Reported on the mount itself: in the short form `"/": public` there is no `dir` key to point at.
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: mount.dir });
  });

/**
 * `web`: frontends the gateway serves, by mount path: `{ "/": "public", "/admin": { dir:
 * "apps/admin/dist", spa: true } }`. A folder `public/` of the hub is served at `/` when no
 * mount claims `/`. Mounts may not claim the gateway's own paths (`/api`, `/docs`, …).
 */
export const webConfigSchema = z.record(
  z
    .string()
    .regex(MOUNT, "expected a path such as \"/\" or \"/admin\" (segments of letters, digits, . _ ~ -; no trailing slash)")
    .refine((mount) => !isGatewayOwnPath(mount), { message: "is a path the gateway serves itself (/api, /openapi.json, /docs, /health, /ready, /files, /dashboard, /auth, /events, /metrics): choose another" }),
  z.preprocess((value) => (typeof value === "string" ? { dir: value } : value), webMountSchema),
);

export type WebConfig = z.output<typeof webConfigSchema>;
export type WebMountConfig = z.output<typeof webMountSchema>;
