/** Maps stack frames in a bundle (`x.mjs` beside `x.mjs.map`) to their sources, reading each map when first needed. */
export function mapStacksLazily(): void;
