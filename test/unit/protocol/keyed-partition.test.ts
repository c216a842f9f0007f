import { describe, expect, it } from "vitest";
import { KEYED_PARTITIONS, endpointPartitionSubject, keyedSubjectOf, partitionOf } from "../../../runtime/protocol/index.ts";

/** The documented rule, spelled out: FNV-1a (32 bits) of the key's UTF-8 bytes, modulo the partitions. */
function reference(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % KEYED_PARTITIONS;
}

describe("a keyed call's partition", () => {
  it("is FNV-1a of the key's UTF-8 bytes for ASCII and non-ASCII keys alike, as a client in another language computes it", () => {
    const keys = ["a", "cart-4", "key-999", "user@example.com", "é", "Grüße", "日本語", "x😀y", "tab\u007fend", "\u0080", "ascii then ü"];
    for (let i = 0; i < 2000; i++) keys.push(`k${i}${String.fromCharCode(i % 600)}`);
    for (const key of keys) expect(partitionOf(key), key).toBe(reference(key));
    // Pinned, so that the rule itself cannot drift along with its spelled-out form.
    expect([partitionOf("cart-4"), partitionOf("日本語")]).toEqual([54, 39]);
  });

  it("names the partition in the subject after the endpoint's", () => {
    expect(endpointPartitionSubject("fuse.cart.add", 7)).toBe("fuse.cart.add@7");
    expect(keyedSubjectOf("fuse.cart.add", "ada")).toBe("fuse.cart.add@59");
  });
});
