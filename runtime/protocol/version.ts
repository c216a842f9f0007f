import packageJson from "../../package.json" with { type: "json" };

/**
 * This Fuse's version, from its package.json: what `fuse --version`, the hub's info and the
 * gateway's OpenAPI document report. A JSON import, so bundles carry it and nothing reads a
 * file at run time.
 */
export const FUSE_VERSION: string = packageJson.version;
