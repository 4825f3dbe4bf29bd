// How a command: string becomes arguments, as Compose splits it (go-shellwords 1.0.12).
import { describe, expect, it } from "vitest";
import { shellSplit, ShellwordsError } from "../../../src/compose/shellwords.js";

describe("shellSplit", () => {
  const rows: [string, string[]][] = [
    ["", []],
    ["   ", []],
    ["npm start", ["npm", "start"]],
    ["  a \t b\nc  ", ["a", "b", "c"]],
    ["echo 'hello world'", ["echo", "hello world"]],
    ['echo "hello world"', ["echo", "hello world"]],
    ["echo ''", ["echo", ""]],
    ['echo ""', ["echo", ""]],
    ['a"b c"d', ["ab cd"]],
    ["echo 'it''s'", ["echo", "its"]],
    [`echo "it's"`, ["echo", "it's"]],
    [`echo 'say "hi"'`, ["echo", 'say "hi"']],
    ["a\\ b", ["a b"]],
    ["a\\\\b", ["a\\b"]],
    [`"a\\"b"`, ['a"b']],
    [`"\\a"`, ["a"]],
    [`'a\\b'`, ["a\\b"]],
    ["echo $HOME ${X}", ["echo", "$HOME", "${X}"]],
    ["echo $(date)", ["echo", "$(date)"]],
    ["sh -c 'echo a && echo b'", ["sh", "-c", "echo a && echo b"]],
    ['sh -c "x > y"', ["sh", "-c", "x > y"]],
    ["a\\;b", ["a;b"]],
    ["--flag=value --other='x y'", ["--flag=value", "--other=x y"]],
  ];
  for (const [line, words] of rows) it(JSON.stringify(line), () => expect(shellSplit(line)).toEqual(words));
});

describe("shellSplit: refused", () => {
  const rows: [string, RegExp][] = [
    ["echo a && echo b", /"&" outside quotes/],
    ["echo a; echo b", /";" outside quotes/],
    ["cat x | grep y", /"\|" outside quotes/],
    ["echo > file", /">" outside quotes/],
    ["server < in", /"<" outside quotes/],
    ["echo (x)", /"\(" outside quotes/],
    ["echo 'open", /unclosed quote/],
    ['echo "open', /unclosed quote/],
    ["trailing\\", /trailing backslash/],
  ];
  for (const [line, message] of rows) {
    it(JSON.stringify(line), () => {
      expect(() => shellSplit(line)).toThrow(ShellwordsError);
      expect(() => shellSplit(line)).toThrow(message);
    });
  }
});
