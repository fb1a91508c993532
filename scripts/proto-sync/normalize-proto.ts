/**
 * Normalizes one etcd .proto file for code generation:
 * - strips Go-only and gateway-only custom options (gogoproto, google.api.http,
 *   openapiv2, versionpb) from files, messages, fields, enums, enum values and RPCs, and the
 *   Go-only file option `go_package` (etcd 3.6+);
 * - drops the imports those options needed and rewrites etcd's own imports to the
 *   flat layout of `proto/` (for example `etcd/api/mvccpb/kv.proto` → `mvccpb/kv.proto`);
 * - extracts the `google.api.http` routes and versionpb "since" versions, so they can be
 *   emitted as small generated tables instead of descriptor-carrying options.
 *
 * Comments and layout are kept; only the removed statements (and the blank lines they
 * leave) disappear, so diffs against etcd's originals stay readable.
 *
 * @example
 * const { text, annotations } = normalizeProto(source, { rewriteImport: (p) => p });
 * annotations.httpRoutes["etcdserverpb.KV.Range"]; // { method: "POST", path: "/v3/kv/range", body: "*" }
 */
import { tokenizeProto, unquoteProtoString, type ProtoToken } from "./proto-tokens.js";

/** One HTTP binding of an RPC, as etcd's gRPC gateway serves it. */
export interface HttpRule {
  method: string;
  path: string;
  body?: string;
  additionalBindings?: HttpRule[];
}

export interface ProtoAnnotations {
  /** Keyed by `package.Service.Method`. */
  httpRoutes: Record<string, HttpRule>;
  /** Keyed by the element's full name (`package.Message`, `package.Message.field`, `package.Enum.VALUE`). */
  sinceVersions: Record<string, string>;
}

export interface NormalizeOptions {
  /** Maps an import path to its normalized path, or `null` to drop the import. */
  rewriteImport(path: string): string | null;
}

export interface NormalizeResult {
  text: string;
  annotations: ProtoAnnotations;
}

const strippedOptionPrefixes = ["gogoproto.", "google.api.", "grpc.gateway.", "versionpb."];

/** Built-in file options that only Go's generator reads. */
const strippedFileOptions = new Set(["go_package"]);

function isStrippedOption(name: string): boolean {
  return strippedOptionPrefixes.some((prefix) => name.startsWith(prefix));
}

interface Scope {
  kind: "message" | "enum" | "service" | "rpc" | "oneof" | "other";
  name: string;
}

interface Edit {
  start: number;
  end: number;
  text: string;
  wholeLine: boolean;
}

export function normalizeProto(original: string, options: NormalizeOptions): NormalizeResult {
  // A checkout with CRLF line endings (git autocrlf on Windows) normalizes like an LF one.
  const source = original.replace(/\r\n/g, "\n");
  const tokens = tokenizeProto(source);
  const sig = tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");
  const edits: Edit[] = [];
  const annotations: ProtoAnnotations = { httpRoutes: {}, sinceVersions: {} };
  const scopes: Scope[] = [];
  let packageName = "";
  let statement: ProtoToken[] = [];

  const at = (i: number): ProtoToken | undefined => sig[i];
  const text = (i: number): string => sig[i]?.text ?? "";
  const fullName = (...extra: string[]): string =>
    [packageName, ...scopes.filter((s) => s.kind === "message" || s.kind === "enum").map((s) => s.name), ...extra]
      .filter(Boolean)
      .join(".");

  /** Index of the token that closes the bracket opened at `open`. */
  const matching = (open: number): number => {
    const pairs: Record<string, string> = { "{": "}", "[": "]", "(": ")", "<": ">" };
    const close = pairs[text(open)]!;
    let depth = 0;
    for (let i = open; i < sig.length; i++) {
      if (text(i) === text(open)) depth++;
      else if (text(i) === close && --depth === 0) return i;
    }
    throw new Error(`unbalanced '${text(open)}' at offset ${at(open)!.start}`);
  };

  /**
   * Reads an option name at `i`: `(a.b).c`, `(.a.b)` (fully qualified) or `a`.
   * Returns the name without a leading dot and the index of the `=` after it.
   */
  const readOptionName = (i: number): { name: string; custom: boolean; next: number } => {
    if (text(i) === "(") {
      const close = matching(i);
      let name = sig.slice(i + 1, close).map((t) => t.text).join("").replace(/^\./, "");
      let next = close + 1;
      while (text(next) === "." && at(next + 1)?.kind === "ident") {
        name += `.${text(next + 1)}`;
        next += 2;
      }
      return { name, custom: true, next };
    }
    return { name: text(i), custom: false, next: i + 1 };
  };

  /** Skips an option value (scalar, adjacent strings or aggregate); returns the next index. */
  const skipValue = (i: number): number => {
    if (text(i) === "{") return matching(i) + 1;
    if ((text(i) === "-" || text(i) === "+") && at(i + 1)?.kind === "ident") return i + 2; // -inf
    if (at(i)?.kind === "string") {
      while (at(i)?.kind === "string") i++;
      return i;
    }
    return i + 1;
  };

  const recordOption = (name: string, valueStart: number, valueEnd: number, element: string | undefined) => {
    const scope = scopes.at(-1);
    if (name === "google.api.http" && scope?.kind === "rpc") {
      const service = scopes.at(-2)?.name ?? "";
      annotations.httpRoutes[[packageName, service, scope.name].filter(Boolean).join(".")] = parseHttpRule(
        sig.slice(valueStart + 1, valueEnd - 1),
      );
    } else if (name.startsWith("versionpb.") && at(valueStart)?.kind === "string") {
      const key = element ?? fullName();
      annotations.sinceVersions[key] = unquoteProtoString(text(valueStart));
    }
  };

  for (let i = 0; i < sig.length; i++) {
    const token = sig[i]!;
    const word = token.text;
    const scope = scopes.at(-1);

    if (word === "package" && scopes.length === 0) {
      packageName = text(i + 1);
    }

    if (word === "import" && scopes.length === 0 && statement.length === 0) {
      let j = i + 1;
      if (text(j) === "weak" || text(j) === "public") j++;
      const pathToken = at(j)!;
      const rewritten = options.rewriteImport(unquoteProtoString(pathToken.text));
      if (rewritten === null) {
        edits.push({ start: token.start, end: at(j + 1)!.end, text: "", wholeLine: true });
      } else {
        edits.push({ start: pathToken.start, end: pathToken.end, text: JSON.stringify(rewritten), wholeLine: false });
      }
      i = j + 1;
      statement = [];
      continue;
    }

    if (word === "option" && statement.length === 0) {
      const { name, custom, next } = readOptionName(i + 1);
      const valueStart = next + 1; // after "="
      const valueEnd = skipValue(valueStart);
      const semicolon = valueEnd;
      if (custom && isStrippedOption(name)) {
        recordOption(name, valueStart, valueEnd, undefined);
        edits.push({ start: token.start, end: at(semicolon)!.end, text: "", wholeLine: true });
      } else if (!custom && scopes.length === 0 && strippedFileOptions.has(name)) {
        edits.push({ start: token.start, end: at(semicolon)!.end, text: "", wholeLine: true });
      }
      i = semicolon;
      statement = [];
      continue;
    }

    if (word === "[" && scope && scope.kind !== "service" && scope.kind !== "rpc") {
      const close = matching(i);
      const elementName = statement.find((_, k) => text(sig.indexOf(statement[k]!) + 1) === "=")?.text;
      const entries: { from: number; to: number; name: string; custom: boolean }[] = [];
      let j = i + 1;
      while (j < close) {
        const { name, custom, next } = readOptionName(j);
        const valueEnd = skipValue(next + 1);
        entries.push({ from: j, to: valueEnd, name, custom });
        if (custom && isStrippedOption(name)) {
          const element = elementName === undefined ? undefined : fullName(elementName);
          recordOption(name, next + 1, valueEnd, element);
        }
        j = text(valueEnd) === "," ? valueEnd + 1 : valueEnd;
      }
      const kept = entries.filter((e) => !(e.custom && isStrippedOption(e.name)));
      if (kept.length !== entries.length) {
        const bracket = at(i)!;
        const before = tokens[tokens.indexOf(bracket) - 1];
        const start = before?.kind === "space" ? before.start : bracket.start;
        const keptText = kept.map((e) => source.slice(at(e.from)!.start, at(e.to - 1)!.end)).join(", ");
        edits.push({
          start: kept.length === 0 ? start : bracket.start,
          end: at(close)!.end,
          text: kept.length === 0 ? "" : `[${keptText}]`,
          wholeLine: false,
        });
      }
      i = close;
      continue;
    }

    if ((word === "message" || word === "enum" || word === "service" || word === "oneof") && text(i + 2) === "{") {
      scopes.push({ kind: word, name: text(i + 1) });
      i += 2;
      statement = [];
      continue;
    }

    if (word === "rpc" && scope?.kind === "service") {
      let j = i + 1;
      while (j < sig.length && text(j) !== "{" && text(j) !== ";") j++;
      if (text(j) === "{") scopes.push({ kind: "rpc", name: text(i + 1) });
      i = j;
      statement = [];
      continue;
    }

    if (word === "{") {
      scopes.push({ kind: "other", name: "" });
      statement = [];
    } else if (word === "}") {
      scopes.pop();
      statement = [];
    } else if (word === ";") {
      statement = [];
    } else {
      statement.push(token);
    }
  }

  return { text: tidy(applyEdits(source, edits)), annotations: sortAnnotations(annotations) };
}

function applyEdits(source: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = "";
  let cursor = 0;
  for (const edit of sorted) {
    let { start, end } = edit;
    if (edit.wholeLine) {
      const lineStart = source.lastIndexOf("\n", start - 1) + 1;
      const newline = source.indexOf("\n", end);
      const lineEnd = newline < 0 ? source.length : newline + 1;
      if (/^[ \t]*$/.test(source.slice(lineStart, start)) && /^[ \t]*\r?\n?$/.test(source.slice(end, lineEnd))) {
        start = lineStart;
        end = lineEnd;
      }
    }
    if (start < cursor) continue;
    out += source.slice(cursor, start) + edit.text;
    cursor = end;
  }
  return out + source.slice(cursor);
}

/** Collapses emptied RPC bodies and runs of blank lines left by removed statements. */
function tidy(text: string): string {
  return (
    text
      .replace(/^[ \t]+$/gm, "")
      .replace(/\)[ \t]*\{\s*\}/g, ") {}")
      .replace(/\n([ \t]*\n){2,}/g, "\n\n")
      .replace(/\{\n([ \t]*\n)+/g, "{\n")
      .replace(/\n([ \t]*\n)+([ \t]*\})/g, "\n$2")
      .trimEnd() + "\n"
  );
}

/** A protobuf text-format message (an option's aggregate value): field → values, in order. */
interface TextMessage {
  [field: string]: (string | TextMessage)[];
}

/**
 * Parses the tokens between an aggregate's braces. Both `key: {…}` and `key {…}`, list values
 * (`key: [{…}, {…}]`) and `,`/`;` separators are accepted; scalars keep their text, strings are
 * unquoted (adjacent strings concatenated).
 */
function parseTextMessage(body: readonly ProtoToken[]): TextMessage {
  const message: TextMessage = {};
  const close = (open: number): number => {
    const opening = body[open]!.text;
    const closing = opening === "{" ? "}" : opening === "[" ? "]" : ">";
    let depth = 0;
    for (let k = open; k < body.length; k++) {
      if (body[k]!.text === opening) depth++;
      else if (body[k]!.text === closing && --depth === 0) return k;
    }
    throw new Error(`unbalanced '${opening}' in an option value`);
  };
  /** Reads one value at `j` into `values`; returns the index after it. */
  const readValue = (j: number, values: (string | TextMessage)[]): number => {
    const token = body[j];
    if (!token) return j;
    if (token.text === "{" || token.text === "<") {
      const end = close(j);
      values.push(parseTextMessage(body.slice(j + 1, end)));
      return end + 1;
    }
    if (token.text === "[") {
      const end = close(j);
      let k = j + 1;
      while (k < end) {
        k = readValue(k, values);
        if (body[k]?.text === ",") k++;
      }
      return end + 1;
    }
    if (token.kind === "string") {
      let value = "";
      while (body[j]?.kind === "string") value += unquoteProtoString(body[j++]!.text);
      values.push(value);
      return j;
    }
    if ((token.text === "-" || token.text === "+") && body[j + 1]) {
      values.push(token.text + body[j + 1]!.text);
      return j + 2;
    }
    values.push(token.text);
    return j + 1;
  };
  let i = 0;
  while (i < body.length) {
    const key = body[i]!.text;
    let j = i + 1;
    if (body[j]?.text === ":") j++;
    i = readValue(j, (message[key] ??= []));
    if (body[i]?.text === "," || body[i]?.text === ";") i++;
  }
  return message;
}

const httpMethods = ["get", "put", "post", "delete", "patch"];

/** A `google.api.HttpRule` from the tokens between the option value's braces. */
function parseHttpRule(body: readonly ProtoToken[]): HttpRule {
  return httpRuleFrom(parseTextMessage(body));
}

function httpRuleFrom(message: TextMessage): HttpRule {
  const rule: HttpRule = { method: "", path: "" };
  const str = (value: string | TextMessage | undefined) => (typeof value === "string" ? value : undefined);
  for (const method of httpMethods) {
    const path = str(message[method]?.[0]);
    if (path !== undefined) Object.assign(rule, { method: method.toUpperCase(), path });
  }
  const custom = message["custom"]?.[0];
  if (custom !== undefined && typeof custom !== "string") {
    Object.assign(rule, { method: str(custom["kind"]?.[0]) ?? "", path: str(custom["path"]?.[0]) ?? "" });
  }
  const body = str(message["body"]?.[0]);
  if (body !== undefined) rule.body = body;
  const bindings = (message["additional_bindings"] ?? []).filter((b): b is TextMessage => typeof b !== "string");
  if (bindings.length > 0) rule.additionalBindings = bindings.map(httpRuleFrom);
  return rule;
}

function sortAnnotations(a: ProtoAnnotations): ProtoAnnotations {
  const sortRecord = <T>(r: Record<string, T>) =>
    Object.fromEntries(Object.entries(r).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return { httpRoutes: sortRecord(a.httpRoutes), sinceVersions: sortRecord(a.sinceVersions) };
}
