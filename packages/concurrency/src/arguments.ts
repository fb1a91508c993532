import { invalidArgumentError, typeName } from "@etcdkit/transport/internal";

/**
 * Checks the name or key prefix of a lock, election or recipe: a non-empty string (the key
 * space of a primitive is `<name>/...`). Throws "invalid-argument" before any I/O otherwise.
 *
 * @example
 * ```ts
 * checkName("locks/orders", "createMutex"); // ok
 * checkName("", "createMutex");             // throws invalid-argument
 * ```
 */
export function checkName(name: unknown, where: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw invalidArgumentError(`${where}: the name must be a non-empty string, got ${typeName(name)}`);
  }
  return name;
}

/**
 * Checks an integer option in `[min, max]`; undefined gives `fallback`. Throws "invalid-argument".
 *
 * @example
 * ```ts
 * const ttl = integerOption(options?.ttl, "ttl", 1, 2 ** 31 - 1, 60);
 * ```
 */
export function integerOption(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${typeof value === "number" ? String(value) : typeName(value)}`);
  }
  return value;
}
