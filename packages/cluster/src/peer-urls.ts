import { invalidArgumentError } from "@etcdkit/transport/internal";

const schemes = new Set(["http:", "https:", "unix:", "unixs:"]);

/**
 * Checks peer URLs the way etcd's `types.NewURLs` does before it accepts them, so that a typo
 * fails before any network I/O: at least one URL; each `scheme://host:port` with scheme http,
 * https, unix or unixs; no path, query or fragment; no duplicates. Returns a copy.
 *
 * Throws an EtcdError with reason "invalid-argument".
 *
 * @example
 * ```ts
 * checkPeerUrls(["http://10.0.0.4:2380"], "memberAdd"); // ["http://10.0.0.4:2380"]
 * checkPeerUrls(["10.0.0.4:2380"], "memberAdd");        // throws: no scheme
 * ```
 */
export function checkPeerUrls(peerUrls: readonly string[], call: string): string[] {
  if (!Array.isArray(peerUrls) || peerUrls.length === 0) {
    throw invalidArgumentError(`${call}: give at least one peer URL, e.g. "http://10.0.0.4:2380"`);
  }
  const seen = new Set<string>();
  for (const raw of peerUrls as readonly unknown[]) {
    if (typeof raw !== "string") throw invalidArgumentError(`${call}: peer URLs must be strings, got ${typeof raw}`);
    const problem = urlProblem(raw);
    if (problem !== undefined) throw invalidArgumentError(`${call}: bad peer URL ${JSON.stringify(raw)}: ${problem}`);
    if (seen.has(raw)) throw invalidArgumentError(`${call}: peer URL ${JSON.stringify(raw)} is listed twice`);
    seen.add(raw);
  }
  return [...seen];
}

function urlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL (expected scheme://host:port)";
  }
  if (!schemes.has(url.protocol)) return `scheme must be http, https, unix or unixs, got ${url.protocol.slice(0, -1)}`;
  // The URL parser drops default ports ("http://h:80" has port ""), so look at the text.
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? "";
  if (!/^[^:]+:\d+$|^\[[0-9a-f:.]+\]:\d+$/i.test(authority)) return 'expected the form "scheme://host:port"';
  if ((url.pathname !== "" && url.pathname !== "/") || raw.endsWith("/")) return "must not have a path";
  if (url.search !== "" || url.hash !== "") return "must not have a query or fragment";
  return undefined;
}
