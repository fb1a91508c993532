import { type MemberId } from "@etcdkit/transport";
import { checkMemberId, invalidArgumentError } from "@etcdkit/transport/internal";

/**
 * A member ID written as etcdctl prints it: lower-case hex without leading zeros.
 *
 * @example
 * ```ts
 * formatMemberId(0x8e9e05c52164694dn); // "8e9e05c52164694d"
 * ```
 */
export function formatMemberId(id: MemberId): string {
  return id.toString(16);
}

/**
 * Parses a member ID as etcdctl prints it (hex, optionally `0x`-prefixed).
 *
 * Throws an EtcdError with reason "invalid-argument" for anything but 1–16 hex digits, or zero.
 *
 * @example
 * ```ts
 * await cluster.memberRemove(parseMemberId("8e9e05c52164694d"));
 * ```
 */
export function parseMemberId(text: string): MemberId {
  const digits = typeof text === "string" && text.startsWith("0x") ? text.slice(2) : text;
  if (typeof digits !== "string" || !/^[0-9a-fA-F]{1,16}$/.test(digits)) {
    throw invalidArgumentError(`a member ID is 1 to 16 hex digits, got ${JSON.stringify(String(text).slice(0, 40))}`);
  }
  return checkMemberId(BigInt(`0x${digits}`), "parseMemberId");
}
