import type { SearchModel } from "./wgl-search.js";

/**
 * One key of etcd's store as the linearizability search sees it: its value (null: absent), its
 * mod revision (-1n: written by a write whose revision is unknown, until a read reveals it) and a
 * lower bound of the revision the key's history has reached (`rev`). etcd orders everything by
 * revision, so a linearization must too: a write gets a revision above `rev`, a read happens at
 * a revision at or above it.
 *
 * @example
 * ```ts
 * const initial: RegisterState = { value: null, mod: 0n, rev: 0n };
 * ```
 */
export interface RegisterState {
  readonly value: string | null;
  readonly mod: bigint;
  readonly rev: bigint;
}

/**
 * An operation on one key, with the result the model checks:
 * - "read": saw `value` with mod revision `mod` at store revision `rev` (a get; a delete that
 *   deleted nothing; a CAS whose guard was false, with `notExpect` its guard value); `rev`
 *   undefined: at a revision the client could not tell (a read from a client-side cache), any
 *   one from the key's current revision on;
 * - "write": set `value` (null: delete) at revision `rev` (undefined: unknown), when `guard` is
 *   given only if the value was `guard.expect` (a CAS that succeeded);
 * - "maybe-cas": a CAS whose outcome is unknown: writes `value` (at an unknown revision) if the
 *   key holds `expect`, else changes nothing.
 *
 * @example
 * ```ts
 * const read: RegisterInput = { f: "read", value: "c1-3", mod: 12n, rev: 15n };
 * ```
 */
export type RegisterInput =
  | { readonly f: "read"; readonly value: string | null; readonly mod: bigint; readonly rev: bigint | undefined; readonly notExpect?: string | null }
  | { readonly f: "write"; readonly value: string | null; readonly rev: bigint | undefined; readonly guard?: { readonly expect: string | null } }
  | { readonly f: "maybe-cas"; readonly expect: string | null; readonly value: string };

/**
 * etcd's single-key register with revisions, for `searchLinearization`.
 *
 * @example
 * ```ts
 * const outcome = searchLinearization(registerModel, opsOfOneKey, { maxSteps: 1_000_000 });
 * ```
 */
export const registerModel: SearchModel<RegisterState, RegisterInput> = {
  init: () => ({ value: null, mod: 0n, rev: 0n }),
  key: (s) => `${s.value === null ? "\u0000" : s.value}|${s.mod}|${s.rev}`,
  step(s, op) {
    switch (op.f) {
      case "read": {
        if (op.value !== s.value) return undefined;
        if (op.notExpect !== undefined && op.notExpect === op.value) return undefined;
        if (op.rev === undefined) {
          // A cached read: the value and its mod revision must be the key's; the store revision is open.
          if (s.mod >= 0n) return op.mod === s.mod ? s : undefined;
          if (op.mod < s.rev) return undefined;
          return { value: s.value, mod: op.mod, rev: op.mod };
        }
        if (op.rev < s.rev || op.mod > op.rev) return undefined;
        if (s.mod >= 0n) {
          if (op.mod !== s.mod) return undefined;
          return op.rev === s.rev ? s : { value: s.value, mod: s.mod, rev: op.rev };
        }
        // The value came from a write whose revision is unknown: the read reveals it.
        if (op.mod < s.rev) return undefined;
        return { value: s.value, mod: op.mod, rev: op.rev };
      }
      case "write": {
        if (op.guard !== undefined && op.guard.expect !== s.value) return undefined;
        return applyWrite(s, op.value, op.rev);
      }
      case "maybe-cas":
        return op.expect === s.value ? applyWrite(s, op.value, undefined) : s;
    }
  },
};

function applyWrite(s: RegisterState, value: string | null, rev: bigint | undefined): RegisterState | undefined {
  if (rev === undefined) return { value, mod: value === null ? 0n : -1n, rev: s.rev + 1n };
  if (rev <= s.rev) return undefined;
  return { value, mod: value === null ? 0n : rev, rev };
}
