import { Code, ConnectError } from "@connectrpc/connect";
import type { EtcdClientErrorReason, EtcdErrorReason } from "./etcd-error-reason.js";
import { rpcErrorTable } from "./rpctypes-table.js";

/**
 * The brand every EtcdError carries. `Symbol.for` makes it the same symbol in every installed
 * copy of `@etcdkit/transport`, so guards work across copies where `instanceof` would not.
 */
const ETCD_ERROR_BRAND: symbol = Symbol.for("@etcdkit/transport/EtcdError");

/**
 * Options of the EtcdError constructor.
 *
 * @example
 * ```ts
 * const options: EtcdErrorOptions = { cause: err, compactRevision: 42n };
 * ```
 */
export interface EtcdErrorOptions {
  /** The underlying error, kept for logging; never shown in the message. */
  readonly cause?: unknown;
  /** Response headers and trailers that came with the error. */
  readonly metadata?: HeadersInit;
  /** For reason "compacted": the compaction revision, when the server reported it (watch does). */
  readonly compactRevision?: bigint;
  /**
   * The revision to resume from, when the error ends something that can be resumed (a watch
   * ended with "slow-consumer": start a new watch at this revision to miss nothing).
   */
  readonly resumeRevision?: bigint;
  /** The failed call was a write that may have been applied (see `EtcdError.outcomeUnknown`). */
  readonly outcomeUnknown?: boolean;
}

/**
 * The one error type of etcdkit. It is a Connect `ConnectError` (`code` is the gRPC code,
 * `rawMessage` the server's message, `metadata` the trailers) with a stable `reason`.
 *
 * Instances are checked with `isEtcdError(err, reason?)`, which works across installed copies of
 * this package. `err instanceof EtcdError` and `err instanceof ConnectError` work too.
 *
 * Implementation note: connect-es 2.x answers `instanceof ConnectError` with
 * `Object.getPrototypeOf(v) === ConnectError.prototype || v.name === "ConnectError"`, so a plain
 * subclass named "EtcdError" would fail both `instanceof ConnectError` and `instanceof EtcdError`
 * (and `ConnectError.from` would wrap it into a new "unknown" error). Each instance therefore
 * keeps ConnectError.prototype as its prototype; all EtcdError state lives in own properties and
 * `instanceof EtcdError` checks the brand.
 *
 * @example
 * ```ts
 * throw new EtcdError("etcdserver: mvcc: required revision has been compacted", "compacted", Code.OutOfRange, {
 *   compactRevision: 1200n,
 * });
 * ```
 */
export class EtcdError extends ConnectError {
  override name: "EtcdError" = "EtcdError";
  /** Why the call failed; see EtcdErrorReason. */
  readonly reason: EtcdErrorReason;
  /** Set for reason "compacted" when the compaction revision is known. */
  declare readonly compactRevision?: bigint;
  /** Set when the error ends something resumable (e.g. reason "slow-consumer"): resume from this revision. */
  declare readonly resumeRevision?: bigint;
  /**
   * True when the failed call was a write that may have been applied: its request may have
   * reached etcd and no definitive answer from etcd says it was not (a lost connection, an answer
   * without an etcd message, a deadline, an abort, etcd's "timeout"...), whatever the `reason`.
   * Such a non-repeatable write was not resent; read back before retrying it. A repeatable write
   * (LeaseGrant, LeaseRevoke, Alarm, MoveLeader) was, and keeps the flag on its final answer
   * ("lease-not-found" after a retried revoke). False when etcd's answer says the write was not
   * applied, when it was never sent, and for reads.
   */
  readonly outcomeUnknown: boolean;

  constructor(message: string, reason: EtcdErrorReason, code?: Code, options?: EtcdErrorOptions) {
    // Own properties only, as every etcdkit options object (see ownOptions).
    const own = <K extends keyof EtcdErrorOptions>(key: K): EtcdErrorOptions[K] =>
      options !== undefined && options !== null && Object.hasOwn(options, key) ? options[key] : undefined;
    super(message, code ?? defaultCodeFor(reason), own("metadata"), undefined, own("cause"));
    this.reason = reason;
    this.outcomeUnknown = own("outcomeUnknown") === true || reason === "outcome-unknown";
    const compactRevision = own("compactRevision");
    if (compactRevision !== undefined) (this as { compactRevision?: bigint }).compactRevision = compactRevision;
    const resumeRevision = own("resumeRevision");
    if (resumeRevision !== undefined) (this as { resumeRevision?: bigint }).resumeRevision = resumeRevision;
    Object.defineProperty(this, ETCD_ERROR_BRAND, { value: true });
    Object.setPrototypeOf(this, ConnectError.prototype);
  }

  /** `instanceof EtcdError` checks the brand, so it holds across package copies. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isEtcdError(value);
  }
}

/**
 * True when `error` is an EtcdError (from any installed copy of `@etcdkit/transport`) and, when
 * given, its reason is `reason` or one of `reason`.
 *
 * @example
 * ```ts
 * try {
 *   await kv.get("k", { revision: 5n });
 * } catch (err) {
 *   if (isEtcdError(err, ["compacted", "future-revision"])) return undefined;
 *   throw err;
 * }
 * ```
 */
export function isEtcdError(
  error: unknown,
  reason?: EtcdErrorReason | readonly EtcdErrorReason[],
): error is EtcdError {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { readonly name?: unknown; readonly reason?: unknown } & Record<symbol, unknown>;
  if (candidate[ETCD_ERROR_BRAND] !== true || candidate.name !== "EtcdError") return false;
  if (typeof candidate.reason !== "string") return false;
  if (reason === undefined) return true;
  if (typeof reason === "string") return candidate.reason === reason;
  return (reason as readonly string[]).includes(candidate.reason);
}

const clientReasonCodes: Readonly<Record<EtcdClientErrorReason, Code>> = {
  "outcome-unknown": Code.Unavailable,
  unavailable: Code.Unavailable,
  "deadline-exceeded": Code.DeadlineExceeded,
  canceled: Code.Canceled,
  "transport-closed": Code.Canceled,
  "invalid-argument": Code.InvalidArgument,
  "message-too-large": Code.ResourceExhausted,
  "slow-consumer": Code.ResourceExhausted,
  unimplemented: Code.Unimplemented,
  locked: Code.FailedPrecondition,
  "session-expired": Code.FailedPrecondition,
  "stm-conflict": Code.Aborted,
  "barrier-full": Code.FailedPrecondition,
  unknown: Code.Unknown,
};

/** The code an EtcdError gets when its constructor is not given one. */
function defaultCodeFor(reason: EtcdErrorReason): Code {
  if (Object.hasOwn(clientReasonCodes, reason)) return clientReasonCodes[reason as EtcdClientErrorReason];
  return rpcErrorTable.find((row) => row.reason === reason)?.code ?? Code.Unknown;
}
