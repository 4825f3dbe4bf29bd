// How Compose splits a `command:` or `entrypoint:` string into arguments: go-shellwords
// 1.0.12 as compose-go calls it (no variables, no command substitution). Words split on
// blanks; '...' is literal; "..." keeps blanks; a backslash outside single quotes takes
// the next character as it is (in double quotes too: "\a" is "a").
//
// One difference, on purpose: at an unquoted ; & | < or > go-shellwords stops and Compose
// silently runs the words before it (`echo a && echo b` runs `echo a`). pod refuses it:
// a shell line needs a shell.

export class ShellwordsError extends Error {}

const isBlank = (c: string): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";

export function shellSplit(line: string): string[] {
  const args: string[] = [];
  let buf = "";
  let escaped = false;
  let doubleQuoted = false;
  let singleQuoted = false;
  let backQuote = false;
  let dollarQuote = false;
  let got: "no" | "single" | "quoted" = "no";

  for (const c of line) {
    if (escaped) {
      buf += c;
      escaped = false;
      got = "single";
      continue;
    }
    if (c === "\\") {
      if (singleQuoted) buf += c;
      else escaped = true;
      continue;
    }
    if (isBlank(c)) {
      if (singleQuoted || doubleQuoted || backQuote || dollarQuote) {
        buf += c;
      } else if (got !== "no") {
        args.push(buf);
        buf = "";
        got = "no";
      }
      continue;
    }
    switch (c) {
      case "`":
        if (!singleQuoted && !doubleQuoted && !dollarQuote) backQuote = !backQuote;
        break;
      case ")":
        if (!singleQuoted && !doubleQuoted && !backQuote) dollarQuote = !dollarQuote;
        break;
      case "(":
        if (!singleQuoted && !doubleQuoted && !backQuote) {
          if (!dollarQuote && buf.endsWith("$")) {
            dollarQuote = true;
            buf += "(";
            continue;
          }
          throw new ShellwordsError(`"(" outside quotes`);
        }
        break;
      case '"':
        if (!singleQuoted && !dollarQuote) {
          if (doubleQuoted) got = "quoted";
          doubleQuoted = !doubleQuoted;
          continue;
        }
        break;
      case "'":
        if (!doubleQuoted && !dollarQuote) {
          if (singleQuoted) got = "quoted";
          singleQuoted = !singleQuoted;
          continue;
        }
        break;
      case ";":
      case "&":
      case "|":
      case "<":
      case ">":
        if (!(singleQuoted || doubleQuoted || backQuote || dollarQuote)) {
          throw new ShellwordsError(`"${c}" outside quotes is shell syntax, which Compose would cut the command at`);
        }
        break;
    }
    got = "single";
    buf += c;
  }
  if (escaped || singleQuoted || doubleQuoted || backQuote || dollarQuote) throw new ShellwordsError("an unclosed quote or a trailing backslash");
  if (got !== "no") args.push(buf);
  return args;
}
