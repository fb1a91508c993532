import { invalidArgumentError } from "@etcdkit/transport/internal";

/**
 * Checks a user or role name: a non-empty string. Throws an EtcdError "invalid-argument" before
 * any network I/O.
 *
 * @example
 * ```ts
 * checkName("alice", "userAdd", "user"); // "alice"
 * ```
 */
export function checkName(name: string, call: string, what: "user" | "role"): string {
  if (typeof name !== "string" || name === "") throw invalidArgumentError(`${call}: the ${what} name must be a non-empty string`);
  return name;
}

/**
 * Checks a password: a non-empty string. The error never contains the value given (it may be a
 * password typed into the wrong argument).
 *
 * @example
 * ```ts
 * checkPassword(process.env.PASSWORD!, "userAdd");
 * ```
 */
export function checkPassword(password: string, call: string): string {
  if (typeof password !== "string") throw invalidArgumentError(`${call}: the password must be a string`);
  if (password === "") throw invalidArgumentError(`${call}: the password must not be empty (use { noPassword: true } for a user without one)`);
  return password;
}
