/**
 * The deepest nesting of arrays and objects a request body may have. Everything after
 * `JSON.parse` walks a body recursively (JSON.stringify, zod, the handler's own code, in the
 * gateway and in the actor), and a deep enough body overflows the stack there. 128 levels is
 * far beyond what a document designed by people nests, and serde_json's default as well.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether the JSON text nests arrays and objects deeper than `max`, read in one pass over the
 * bytes without recursion, before anything parses it. Brackets inside strings do not count;
 * bytes of multi-byte UTF-8 characters are all above 0x7f, so they never look like brackets.
 * Unbalanced text is left for the parser to name.
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  // Nesting deeper than `max` takes more than `max` bytes.
  if (bytes.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
