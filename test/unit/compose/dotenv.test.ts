// The .env / env_file syntax Compose reads, row by row (many rows from compose-go's fixtures).
import { describe, expect, it } from "vitest";
import { DotenvError, parseDotenv } from "../../../src/compose/dotenv.js";

const env: Record<string, string> = { HOME: "/home/me", EMPTY: "" };
const parse = (text: string, lookup: Record<string, string> = env) => Object.fromEntries(parseDotenv(text, (name) => lookup[name]));

describe("parseDotenv: values", () => {
  const rows: [string, string, Record<string, string>][] = [
    ["plain", "A=1\nB=2", { A: "1", B: "2" }],
    ["spaces around = and after the value", "C= 3\nD =4\nE = 5 \nF = \nG=", { C: "3", D: "4", E: "5", F: "", G: "" }],
    ["inline comment after a space", "H = my string # a comment\nI=a#b", { H: "my string", I: "a#b" }],
    ["comments and blank lines", "# top\n\n  # indented\nA=1\n\n", { A: "1" }],
    ["export prefix", "export A=1\nexport  B=two", { A: "1", B: "two" }],
    ["yaml-style colon", "A: 1\nB:two", { A: "1", B: "two" }],
    ["single quotes are literal", "A='1'\nB=''\nC='\\n'\nD='$HOME'\nE='Let\\'s go!'", { A: "1", B: "", C: "\\n", D: "$HOME", E: "Let's go!" }],
    ["double quotes with escapes", 'A="1"\nB=""\nC="\\n"\nD="tab\\there"\nE="say \\"hi\\""\nF="back\\\\slash"', { A: "1", B: "", C: "\n", D: "tab\there", E: 'say "hi"', F: "back\\slash" }],
    ["a quoted value then a comment", "I = \"echo 'asd'\" # Inline comment\nZ=1", { I: "echo 'asd'", Z: "1" }],
    ["multi-line single quotes", "J='first line\nsecond line'\nK=1", { J: "first line\nsecond line", K: "1" }],
    ["multi-line double quotes", 'J="a\nb"', { J: "a\nb" }],
    ["interpolation from earlier lines", "A=1\nB=${A}\nC=$B\nD=${A}_${B}\nE=${NOT_DEFINED}", { A: "1", B: "1", C: "1", D: "1_1", E: "" }],
    ["interpolation from the environment first", "HOME=/other\nP=${HOME}/x", { HOME: "/other", P: "/home/me/x" }],
    ["defaults", "A=${UNSET:-fallback}\nB=${EMPTY-kept}", { A: "fallback", B: "" }],
    ["interpolation in double quotes, not single", "A=\"${HOME}\"\nB='${HOME}'", { A: "/home/me", B: "${HOME}" }],
    ["$$ and \\$ are a literal $", 'A=$$HOME\nB="\\$HOME"', { A: "$HOME", B: "$HOME" }],
    ["a key alone takes the environment's value", "HOME\nMISSING\nA=1", { HOME: "/home/me", A: "1" }],
    ["a key alone on the last line", "A=1\nHOME", { A: "1", HOME: "/home/me" }],
    ["keys with dots, dashes and brackets", "a.b-c[0]=x", { "a.b-c[0]": "x" }],
    ["CRLF line ends", "A=1\r\nB=2\r\n", { A: "1", B: "2" }],
    ["a byte order mark", "\ufeffA=1", { A: "1" }],
    ["octal escape", 'A="\\0123"', { A: "S" }],
    ["later lines override earlier ones", "A=1\nA=2", { A: "2" }],
    ["equals signs in the value", "URL=postgres://u:p@db/x?a=b", { URL: "postgres://u:p@db/x?a=b" }],
  ];
  for (const [name, text, expected] of rows) it(name, () => expect(parse(text)).toEqual(expected));
});

describe("parseDotenv: errors name the line, never a value", () => {
  const rows: [string, number, RegExp][] = [
    ["A=1\nB C=2", 2, /cannot contain a space/],
    ["A=1\n\nB$=2", 3, /^unexpected character "\$" in variable name "B\$"$/],
    ["A='unterminated", 1, /^the quoted value of A is not closed$/],
    ['A="x\ny', 1, /^the quoted value of A is not closed$/],
    ["A=${B:?needs B}", 1, /required variable B is missing a value: needs B/],
    ["=1", 1, /^a line starting with "=" has no variable name$/],
  ];
  for (const [text, line, message] of rows) {
    it(JSON.stringify(text), () => {
      let error: unknown;
      try {
        parse(text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DotenvError);
      expect((error as DotenvError).line).toBe(line);
      expect((error as DotenvError).message).toMatch(message);
    });
  }
});

it("parseDotenv layers onto earlier files' values", () => {
  const out = parseDotenv("A=1\nB=1", () => undefined);
  parseDotenv("B=2\nC=${A}", () => undefined, out);
  expect(Object.fromEntries(out)).toEqual({ A: "1", B: "2", C: "1" });
});
