/**
 * A small lexer for .proto source: enough structure to find imports, options and
 * declarations while keeping every byte of the original text addressable.
 *
 * @example
 * const tokens = tokenizeProto('message A { int64 x = 1; }');
 * tokens.filter((t) => t.kind === "ident").map((t) => t.text); // ["message", "A", "int64", "x"]
 */
export type ProtoTokenKind = "ident" | "number" | "string" | "punct" | "comment" | "space";

export interface ProtoToken {
  readonly kind: ProtoTokenKind;
  readonly text: string;
  /** Offset of the first character in the source. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

const identStart = /[A-Za-z_]/;
const identPart = /[A-Za-z0-9_.]/;

export function tokenizeProto(source: string): ProtoToken[] {
  const tokens: ProtoToken[] = [];
  let i = 0;
  const push = (kind: ProtoTokenKind, start: number, end: number) =>
    tokens.push({ kind, text: source.slice(start, end), start, end });
  while (i < source.length) {
    const c = source[i]!;
    const start = i;
    if (/\s/.test(c)) {
      while (i < source.length && /\s/.test(source[i]!)) i++;
      push("space", start, i);
    } else if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      push("comment", start, i);
    } else if (c === "/" && source[i + 1] === "*") {
      const close = source.indexOf("*/", i + 2);
      i = close < 0 ? source.length : close + 2;
      push("comment", start, i);
    } else if (c === '"' || c === "'") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      i++;
      push("string", start, i);
    } else if (identStart.test(c)) {
      while (i < source.length && identPart.test(source[i]!)) i++;
      push("ident", start, i);
    } else if (/[0-9]/.test(c) || (/[-+.]/.test(c) && /[0-9]/.test(source[i + 1] ?? ""))) {
      // 7, -1, 0x1F, 1.5, .5, 2.5e-3: one token, so a value is always skipped whole.
      i++;
      while (i < source.length) {
        const d = source[i]!;
        const exponentSign = /[-+]/.test(d) && /[eE]/.test(source[i - 1]!) && !/^[-+]?0[xX]/.test(source.slice(start, i));
        if (!/[0-9A-Za-z_.]/.test(d) && !exponentSign) break;
        i++;
      }
      push("number", start, i);
    } else {
      i++;
      push("punct", start, i);
    }
  }
  return tokens;
}

/** The string value of a proto string literal token (escapes kept minimal: \" \\ \'). */
export function unquoteProtoString(literal: string): string {
  return literal.slice(1, -1).replace(/\\(["'\\])/g, "$1");
}
