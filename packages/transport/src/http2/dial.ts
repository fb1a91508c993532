import * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import type { EtcdError } from "../errors/etcd-error.js";
import { errorText, unavailableError } from "../call/call-errors.js";
import type { Endpoint } from "../endpoints/parse-endpoint.js";
import { describeTlsError, SESSION_WINDOW_BYTES, STREAM_WINDOW_BYTES, tlsConnectOptions, type TlsOptions } from "../tls.js";

/**
 * A connection attempt in progress; `cancel()` destroys it and rejects `session`.
 *
 * @example
 * ```ts
 * const attempt = dial(endpoint, tls, 5000);
 * const { session, socket } = await attempt.connected;
 * ```
 */
export interface DialAttempt {
  /** Resolves once the server's HTTP/2 SETTINGS arrived; rejects with an EtcdError "unavailable". */
  readonly connected: Promise<Connected>;
  cancel(error: EtcdError): void;
}

/**
 * An established connection: the HTTP/2 session and the socket under it.
 *
 * @example
 * ```ts
 * const { session, socket }: Connected = await dial(endpoint, tls, 5000).connected;
 * ```
 */
export interface Connected {
  readonly session: http2.ClientHttp2Session;
  readonly socket: net.Socket;
  /**
   * Hands the connection over to its user, who must attach its own listeners in the same
   * synchronous step. Until then the dial keeps listening, so that an error in between (the
   * session or socket failing right after SETTINGS, reported by node:http2 on the next tick)
   * neither crashes the process nor goes unseen. Returns that failure, if there was one (the
   * connection is then destroyed and must not be used), or undefined.
   */
  adopt(): EtcdError | undefined;
}

const SESSION_OPTIONS = {
  settings: { enablePush: false, initialWindowSize: STREAM_WINDOW_BYTES },
  // Many concurrent large responses must not make node refuse new streams (default 10 MB).
  maxSessionMemory: 64,
} as const;

/**
 * Opens an HTTP/2 session to an endpoint over a socket it creates itself (TCP, or TLS with ALPN
 * "h2" for `https://`), so that socket errors are seen directly: node:http2 does not always
 * report a failure of the socket under a session (e.g. a TLS alert from a server that wants a
 * client certificate), and a dial must never hang on that.
 *
 * The connection counts as established only once the server's SETTINGS frame arrived: a TCP
 * connect alone proves nothing when a proxy or load balancer accepts the socket but the member
 * behind it is gone, and a request sent on such a connection could not be known to be unsent.
 * Bounded by `timeoutMs` (the dial timeout). Errors name the endpoint and the cause
 * (ECONNREFUSED, the TLS failure such as "self-signed certificate", the dial timeout).
 *
 * @example
 * ```ts
 * const { session } = await dial(parseEndpoint("http://127.0.0.1:2379"), undefined, 5000).connected;
 * ```
 */
export function dial(endpoint: Endpoint, tlsOptions: TlsOptions | undefined, timeoutMs: number): DialAttempt {
  let abort: ((error: EtcdError) => void) | undefined;

  const connected = new Promise<Connected>((resolve, reject) => {
    let socket: net.Socket;
    let session: http2.ClientHttp2Session;
    try {
      socket = endpoint.secure
        ? tls.connect(tlsConnectOptions(endpoint.host, endpoint.port, tlsOptions))
        : net.connect({ host: endpoint.host, port: endpoint.port });
      session = http2.connect(endpoint.authority, { ...SESSION_OPTIONS, createConnection: () => socket });
    } catch (err) {
      reject(unavailableError(`cannot connect to ${endpoint.url}: ${errorText(err)}`, err));
      return;
    }

    const timer = setTimeout(() => {
      fail(unavailableError(`dial timeout: ${endpoint.url} did not complete an HTTP/2 handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: unknown): void => {
      fail(unavailableError(`cannot connect to ${endpoint.url}: ${describeTlsError(err) ?? errorText(err)}`, err));
    };
    const onClose = (): void => {
      fail(unavailableError(`cannot connect to ${endpoint.url}: connection closed before the HTTP/2 handshake completed`));
    };
    const onSettings = (): void => {
      cleanup();
      abort = undefined;
      try {
        session.setLocalWindowSize(SESSION_WINDOW_BYTES);
      } catch {
        // best effort; the default window still works
      }
      resolve(holdUntilAdopted(endpoint, session, socket));
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.off("close", onClose);
      session.off("error", onError);
      session.off("close", onClose);
      session.off("remoteSettings", onSettings);
    }
    function fail(error: EtcdError): void {
      if (abort === undefined) return;
      abort = undefined;
      cleanup();
      // Late 'error' events of the destroyed session and socket must not become uncaught exceptions.
      session.on("error", () => {});
      socket.on("error", () => {});
      session.destroy();
      socket.destroy();
      reject(error);
    }
    abort = fail;
    socket.on("error", onError);
    socket.once("close", onClose);
    session.on("error", onError);
    session.once("close", onClose);
    session.once("remoteSettings", onSettings);
  });

  return {
    connected,
    cancel(error) {
      abort?.(error);
    },
  };
}

/**
 * The connected session, guarded until `adopt()`: between the SETTINGS frame and the moment the
 * caller attaches its listeners (a promise continuation later), node:http2 may report an error,
 * a close or a GOAWAY. Without a listener an 'error' there would be an uncaught exception.
 */
function holdUntilAdopted(endpoint: Endpoint, session: http2.ClientHttp2Session, socket: net.Socket): Connected {
  let early: EtcdError | undefined;
  const onError = (err: unknown): void => {
    early ??= unavailableError(
      `connection to ${endpoint.url} failed right after the HTTP/2 handshake: ${describeTlsError(err) ?? errorText(err)}`,
      err,
    );
  };
  const onClose = (): void => {
    early ??= unavailableError(`connection to ${endpoint.url} closed right after the HTTP/2 handshake`);
  };
  const onGoaway = (code: number): void => {
    early ??= unavailableError(`${endpoint.url} sent GOAWAY (HTTP/2 error code ${code}) right after the HTTP/2 handshake`);
  };
  session.on("error", onError);
  socket.on("error", onError);
  session.once("close", onClose);
  socket.once("close", onClose);
  session.once("goaway", onGoaway);
  return {
    session,
    socket,
    adopt() {
      if (early === undefined && (session.destroyed || session.closed || socket.destroyed)) onClose();
      if (early !== undefined) {
        // Keep the guards: late 'error' events of the broken session must stay swallowed.
        session.destroy();
        socket.destroy();
        return early;
      }
      session.off("error", onError);
      socket.off("error", onError);
      session.off("close", onClose);
      socket.off("close", onClose);
      session.off("goaway", onGoaway);
      return undefined;
    },
  };
}
