import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { PUBLIC_DIR } from "../../protocol/index.ts";
import type { WebConfig } from "../../config/index.ts";
import { StaticFolder } from "./static-folder.ts";

/** A frontend folder served at a path. */
export interface WebMount {
  /** `/` or `/admin`: no trailing slash. */
  path: string;
  /** The folder, absolute. */
  dir: string;
  /** Unknown paths under it get its `index.html`. */
  spa: boolean;
}

/**
 * The mounts of a hub: `web` of fuse.yaml, folders relative to the hub folder, and its
 * `public/` folder at `/` when no mount claims `/` and the folder exists.
 */
export function webMountsOf(web: WebConfig, hubDir: string): WebMount[] {
  const mounts = Object.entries(web).map(([at, mount]) => ({ path: at, dir: path.resolve(hubDir, mount.dir), spa: mount.spa }));
  const conventional = path.join(hubDir, PUBLIC_DIR);
  if (!web["/"] && existsSync(conventional) && statSync(conventional).isDirectory()) mounts.push({ path: "/", dir: conventional, spa: false });
  return mounts;
}

/** A mount with its folder, and the rest of a request's path below it. */
export interface MountMatch {
  mount: WebMount;
  folder: StaticFolder;
  /** The raw path below the mount: `""` for the mount itself, else starting with `/`. */
  rest: string;
}

/** The frontends of a gateway, longest mount first, so `/admin` wins over `/` below it. */
export class WebFrontends {
  private readonly mounts: { mount: WebMount; folder: StaticFolder }[];

  constructor(mounts: readonly WebMount[]) {
    this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length).map((mount) => ({ mount, folder: new StaticFolder(mount.dir) }));
  }

  get size(): number {
    return this.mounts.length;
  }

  /** Whether a frontend is served at `/` (else `/` leads to the dashboard). */
  get servesRoot(): boolean {
    return this.mounts.some((m) => m.mount.path === "/");
  }

  /** The mount a raw request path falls under, if any. */
  match(rawPath: string): MountMatch | undefined {
    for (const { mount, folder } of this.mounts) {
      if (mount.path === "/") return { mount, folder, rest: rawPath };
      if (rawPath === mount.path || rawPath.startsWith(`${mount.path}/`)) return { mount, folder, rest: rawPath.slice(mount.path.length) };
    }
    return undefined;
  }

  /**
   * The mount an endpoint route's path shape (`/admin/:`) lies under, as a route-conflict
   * claimant (`web /admin`). The mount at `/` claims nothing: routes come before its files.
   */
  claimOf(shape: string): string | undefined {
    for (const { mount } of this.mounts) {
      if (mount.path !== "/" && (shape === mount.path || shape.startsWith(`${mount.path}/`))) return `web ${mount.path}`;
    }
    return undefined;
  }

  /** Whether a link from another site may open this path: a frontend's page is meant to be linked to. */
  navigable(rawPath: string): boolean {
    return this.match(rawPath) !== undefined;
  }
}
