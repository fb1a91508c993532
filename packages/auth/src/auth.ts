import type { CallOptions, ResponseHeader } from "@etcdkit/transport";
import type { KeyRange, Permission, PermissionSpec } from "./permission.js";

/**
 * Pass as the password of `userAdd` to create a user that cannot authenticate with a password
 * (etcd 3.4+, like `etcdctl user add --no-password`; such users authenticate with TLS client certificates whose CN is the user name).
 *
 * @example
 * ```ts
 * await auth.userAdd("svc-backup", { noPassword: true });
 * ```
 */
export interface NoPassword {
  readonly noPassword: true;
}

/**
 * A call that answers with nothing but its header.
 *
 * @example
 * ```ts
 * const { header } = await auth.roleAdd("reader");
 * ```
 */
export interface AuthResult {
  readonly header: ResponseHeader;
}

/**
 * etcd's auth API: enable and disable auth, users, roles and their key permissions. Created by
 * {@link createAuth}.
 *
 * Once auth is enabled, every call (of every etcdkit package) needs a token: give the transport
 * `auth: { username, password }`. User and role management needs the root role.
 *
 * Passwords never appear in etcdkit's errors or logs: errors carry only etcd's own messages
 * (etcd never echoes a password) or our messages, which never include the password given.
 *
 * Besides the reasons listed per call, any call can fail with the transport's ("unavailable",
 * "deadline-exceeded", "canceled", "outcome-unknown" for a change whose request may have reached
 * etcd) and, with auth enabled, "permission-denied", "invalid-auth-token" or "auth-old-revision".
 *
 * @example
 * ```ts
 * const auth = createAuth(transport);
 * await auth.roleAdd("reader");
 * await auth.roleGrantPermission("reader", { prefix: "app/", type: "read" });
 * await auth.userAdd("alice", process.env.ALICE_PASSWORD!);
 * await auth.userGrantRole("alice", "reader");
 * ```
 */
export interface Auth {
  /**
   * Enables auth. The root user must exist and have the root role.
   *
   * Reasons: "root-user-not-exist", "root-role-not-exist".
   *
   * @example
   * ```ts
   * await auth.enable();
   * ```
   */
  enable(options?: CallOptions): Promise<AuthResult>;

  /**
   * Disables auth (needs the root role while auth is on).
   *
   * Reasons: "permission-denied", "invalid-auth-mgmt".
   *
   * @example
   * ```ts
   * await createAuth(rootTransport).disable();
   * ```
   */
  disable(options?: CallOptions): Promise<AuthResult>;

  /**
   * Exchanges a user name and password for a token, to send as `token` metadata. etcdkit's
   * transport does this for you when given `auth: { username, password }`.
   *
   * Reasons: "auth-failed" (unknown user or wrong password; the error never contains the
   * password), "auth-not-enabled", "invalid-argument" (empty name or password).
   *
   * @example
   * ```ts
   * const { token } = await auth.authenticate("alice", password);
   * ```
   */
  authenticate(name: string, password: string, options?: CallOptions): Promise<AuthResult & { readonly token: string }>;

  /**
   * Adds a user with a password, or with `{ noPassword: true }`.
   *
   * Reasons: "invalid-argument" (empty name or password), "user-already-exist", "user-empty".
   *
   * @example
   * ```ts
   * await auth.userAdd("alice", password);
   * await auth.userAdd("svc", { noPassword: true });
   * ```
   */
  userAdd(name: string, password: string | NoPassword, options?: CallOptions): Promise<AuthResult>;

  /**
   * The roles granted to a user.
   *
   * Reasons: "invalid-argument", "user-not-found".
   *
   * @example
   * ```ts
   * const { roles } = await auth.userGet("alice");
   * ```
   */
  userGet(name: string, options?: CallOptions): Promise<AuthResult & { readonly roles: readonly string[] }>;

  /**
   * All user names, sorted.
   *
   * Reasons: transport reasons only.
   *
   * @example
   * ```ts
   * const { users } = await auth.userList();
   * ```
   */
  userList(options?: CallOptions): Promise<AuthResult & { readonly users: readonly string[] }>;

  /**
   * Deletes a user.
   *
   * Reasons: "invalid-argument", "user-not-found", "invalid-auth-mgmt" (deleting root while auth is on).
   *
   * @example
   * ```ts
   * await auth.userDelete("alice");
   * ```
   */
  userDelete(name: string, options?: CallOptions): Promise<AuthResult>;

  /**
   * Sets a user's password.
   *
   * Reasons: "invalid-argument" (empty name or password), "user-not-found".
   *
   * @example
   * ```ts
   * await auth.userChangePassword("alice", newPassword);
   * ```
   */
  userChangePassword(name: string, password: string, options?: CallOptions): Promise<AuthResult>;

  /**
   * Grants a role to a user.
   *
   * Reasons: "invalid-argument", "user-not-found", "role-not-found".
   *
   * @example
   * ```ts
   * await auth.userGrantRole("alice", "reader");
   * ```
   */
  userGrantRole(user: string, role: string, options?: CallOptions): Promise<AuthResult>;

  /**
   * Revokes a role from a user.
   *
   * Reasons: "invalid-argument", "user-not-found", "role-not-granted", "invalid-auth-mgmt"
   * (revoking root from root while auth is on).
   *
   * @example
   * ```ts
   * await auth.userRevokeRole("alice", "reader");
   * ```
   */
  userRevokeRole(user: string, role: string, options?: CallOptions): Promise<AuthResult>;

  /**
   * Adds a role (without permissions).
   *
   * Reasons: "invalid-argument", "role-already-exist", "role-empty".
   *
   * @example
   * ```ts
   * await auth.roleAdd("reader");
   * ```
   */
  roleAdd(name: string, options?: CallOptions): Promise<AuthResult>;

  /**
   * The key permissions of a role.
   *
   * Reasons: "invalid-argument", "role-not-found".
   *
   * @example
   * ```ts
   * const { permissions } = await auth.roleGet("reader");
   * ```
   */
  roleGet(name: string, options?: CallOptions): Promise<AuthResult & { readonly permissions: readonly Permission[] }>;

  /**
   * All role names, sorted.
   *
   * Reasons: transport reasons only.
   *
   * @example
   * ```ts
   * const { roles } = await auth.roleList();
   * ```
   */
  roleList(options?: CallOptions): Promise<AuthResult & { readonly roles: readonly string[] }>;

  /**
   * Deletes a role (and revokes it from every user).
   *
   * Reasons: "invalid-argument", "role-not-found", "invalid-auth-mgmt" (deleting root while auth is on).
   *
   * @example
   * ```ts
   * await auth.roleDelete("reader");
   * ```
   */
  roleDelete(name: string, options?: CallOptions): Promise<AuthResult>;

  /**
   * Grants a role a permission on one key, a range, a prefix, or every key from a key on.
   * Granting again for the same range replaces the permission type.
   *
   * Reasons: "invalid-argument" (bad range or type; a `rangeEnd` at or before `key`, which would
   * grant nothing), "empty-key", "role-not-found".
   *
   * @example
   * ```ts
   * await auth.roleGrantPermission("reader", { prefix: "app/", type: "read" });
   * await auth.roleGrantPermission("writer", { key: "foo", rangeEnd: "zoo", type: "readwrite" });
   * ```
   */
  roleGrantPermission(role: string, permission: PermissionSpec, options?: CallOptions): Promise<AuthResult>;

  /**
   * Revokes the permission a role has on exactly this range (as it was granted).
   *
   * Reasons: "invalid-argument", "empty-key", "role-not-found", "permission-not-granted".
   *
   * @example
   * ```ts
   * await auth.roleRevokePermission("reader", { prefix: "app/" });
   * ```
   */
  roleRevokePermission(role: string, range: KeyRange, options?: CallOptions): Promise<AuthResult>;
}
