// Hostile YAML costs little and says one line: aliases that multiply, nesting past any
// compose file, a file larger than pod reads, duplicate keys in a large mapping.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { Diagnostics } from "../../../src/compose/context.js";
import { MAX_DEPTH, parseYaml } from "../../../src/compose/yaml.js";

const FILE = "/proj/compose.yaml";

function failure(text: string): { message: string; hint: string } {
  try {
    parseYaml(new Diagnostics(FILE), text);
  } catch (err) {
    if (err instanceof UsageError) return { message: err.message, hint: err.hint ?? "" };
    throw err;
  }
  throw new Error("parsed without an error");
}

const bomb = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ..."bcdefghi".split("").map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`), "services: {web: {image: web, x-bomb: *i}}"].join("\n");
const flow = (depth: number) => `services:\n  web:\n    image: web\n    x-deep: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
const block = (depth: number) => ["x-deep:", ...Array.from({ length: depth }, (_, i) => `${" ".repeat(i + 1)}k${i}:`)].join("\n") + " v\n";

describe("parseYaml: hostile input, one line each", () => {
  const rows: [string, string, RegExp, RegExp][] = [
    ["an alias bomb", bomb, /^\/proj\/compose\.yaml: its aliases expand too far/, /alias bomb/],
    ["10,000-deep flow nesting (yaml's own recursion runs out)", flow(10_000), /^\/proj\/compose\.yaml:4:\d+: nested more than 100 levels deep$/, /indentation and the brackets/],
    ["nesting just past the limit", flow(MAX_DEPTH + 1), /^\/proj\/compose\.yaml:4:\d+: nested more than 100 levels deep$/, /brackets/],
    ["deep block nesting", block(MAX_DEPTH + 5), /^\/proj\/compose\.yaml:\d+:\d+: nested more than 100 levels deep$/, /indentation/],
    ["a file over the size cap", `services: {}\nx-pad: "${"x".repeat(4 * 1024 * 1024)}"\n`, /^\/proj\/compose\.yaml: is 4\.1 MiB, more than the 4\.0 MiB pod reads in one file$/, /-f names the compose file/],
    ["a duplicate key far into a large mapping", `x-env:\n${Array.from({ length: 20_000 }, (_, i) => `  K${i}: v`).join("\n")}\n  K7: again\n`, /^\/proj\/compose\.yaml:20002:3: Map keys must be unique$/, /remove one/],
  ];
  for (const [name, text, message, hint] of rows) {
    it(name, () => {
      const f = failure(text);
      expect(f.message).toMatch(message);
      expect(f.hint).toMatch(hint);
    });
  }

  it("nesting at the limit, anchors used a few times, and keys alike in value but not in type are fine", () => {
    expect(() => parseYaml(new Diagnostics(FILE), flow(MAX_DEPTH - 4))).not.toThrow();
    expect(parseYaml(new Diagnostics(FILE), "x: &x {a: 1}\ny: [*x, *x, *x]\nz: {1: a, '1': b}\n")).toEqual({ x: { a: 1 }, y: [{ a: 1 }, { a: 1 }, { a: 1 }], z: { 1: "b" } });
  });
});
