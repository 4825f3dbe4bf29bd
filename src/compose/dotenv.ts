// The env file format Compose reads for `.env` and `env_file` (compose-go's dotenv parser):
// KEY=VALUE or KEY: VALUE, `export ` allowed, # comments, single quotes literal, double
// quotes with escapes (\n \t \\ \" \$ ...) and both unquoted and double-quoted values
// interpolated (${VAR:-x}); a KEY alone takes the value `lookup` gives, or is left out.
import { substitute, TemplateError, type Lookup } from "./interpolate.js";

export class DotenvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const isSpace = (c: string): boolean => c === " " || c === "\t" || c === "\v" || c === "\f" || c === "\r" || c === "\u0085" || c === "\u00a0";
const isAnySpace = (c: string): boolean => isSpace(c) || c === "\n";
const KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;

/**
 * Parses `src` into `out` (which keeps earlier files' values, as Compose layers them).
 * Interpolation looks `lookup` up first, then the values read so far.
 */
export function parseDotenv(src: string, lookup: Lookup, out: Map<string, string> = new Map()): Map<string, string> {
  let line = 1;
  let rest = src.startsWith("\ufeff") ? src.slice(1) : src;
  const resolve: Lookup = (name) => lookup(name) ?? out.get(name);
  const expand = (value: string): string => {
    try {
      return substitute(value, { lookup: resolve });
    } catch (err) {
      if (err instanceof TemplateError) throw new DotenvError(line, err.message);
      throw err;
    }
  };

  for (;;) {
    // The start of the next statement: past blank space and # comment lines.
    for (;;) {
      let i = 0;
      while (i < rest.length && isAnySpace(rest[i]!)) {
        if (rest[i] === "\n") line++;
        i++;
      }
      rest = rest.slice(i);
      if (!rest.startsWith("#")) break;
      const nl = rest.indexOf("\n");
      rest = nl < 0 ? "" : rest.slice(nl);
    }
    if (rest === "") return out;

    if (/^export\s+/.test(rest)) rest = rest.slice("export".length).replace(/^[ \t\v\f\r\u0085\u00a0]+/, "");

    // The key: up to =, : or the end of the line (a key alone, inherited).
    let end = 0;
    let separator = "";
    for (; end < rest.length; end++) {
      const c = rest[end]!;
      if (isSpace(c)) continue;
      if (c === "=" || c === ":" || c === "\n") {
        separator = c;
        break;
      }
      if (!KEY_CHAR.test(c)) {
        // Only the name so far: the value may be a secret.
        throw new DotenvError(line, `unexpected character "${c}" in variable name "${rest.slice(0, end + 1)}"`);
      }
    }
    const key = rest.slice(0, end).replace(/\s+$/u, "");
    if (key.includes(" ")) throw new DotenvError(line, `key "${key}" cannot contain a space`);
    if (key === "") throw new DotenvError(line, `a line starting with "${rest[0]}" has no variable name`);

    if (separator === "\n" || separator === "") {
      // KEY alone: its value comes from the environment, or it is left out.
      const value = lookup(key);
      if (value !== undefined) out.set(key, value);
      rest = rest.slice(end);
      continue;
    }
    rest = rest.slice(end + 1).replace(/^[ \t\v\f\r\u0085\u00a0]+/, "");

    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      const nl = rest.indexOf("\n");
      let value = nl < 0 ? rest : rest.slice(0, nl);
      rest = nl < 0 ? "" : rest.slice(nl);
      const comment = value.indexOf(" #");
      if (comment >= 0) value = value.slice(0, comment);
      out.set(key, expand(value.replace(/\s+$/u, "")));
      continue;
    }

    let chars = "";
    let escaped = false;
    let closed = -1;
    const startLine = line;
    for (let i = 1; i < rest.length; i++) {
      const c = rest[i]!;
      if (c === "\n") line++;
      if (c !== quote) {
        if (!escaped && c === "\\") {
          escaped = true;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += "\\";
        }
        chars += c;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += c;
        continue;
      }
      closed = i;
      break;
    }
    if (closed < 0) throw new DotenvError(startLine, `the quoted value of ${key} is not closed`);
    out.set(key, quote === '"' ? expand(expandEscapes(chars)) : chars);
    rest = rest.slice(closed + 1);
  }
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", '"': '"', "\\": "\\" };

/** Shell escapes in double quotes; `\$` becomes `$$`, a literal $ for the interpolation after. */
function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (match) => {
    const c = match[1]!;
    if (c === "$") return "$$";
    if (c === "0") {
      // \0 then exactly three octal digits, as Go's UnquoteChar reads \NNN; anything else stays.
      const digits = match.slice(2);
      return /^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 0o377 ? String.fromCharCode(parseInt(digits, 8)) : match;
    }
    return ESCAPES[c] ?? match;
  });
}
