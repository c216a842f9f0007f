/** The path of a bundle's build record. */
export declare function recordOf(outfile: string): string;
/**
 * Whether the bundle exists and none of its sources changed since it was built (from `key`,
 * when given: the entry it was built from).
 */
export declare function isFresh(outfile: string, key?: string): boolean;
/** Writes the build record of a bundle built from `key` out of `inputs` (esbuild's metafile). */
export declare function remember(outfile: string, key: string, inputs: string[]): void;
