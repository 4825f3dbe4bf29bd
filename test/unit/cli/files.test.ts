// The one reader of files the user names: regular files only, a few MiB at most, and never
// a read that blocks (a FIFO with no writer would hang the process, deaf to SIGTERM).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_INPUT_BYTES, readInputFile } from "../../../src/files.js";
import { FileReadError } from "../../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "pod-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(path: string): FileReadError {
  try {
    readInputFile(path);
  } catch (err) {
    if (err instanceof FileReadError) return err;
    throw err;
  }
  throw new Error(`${path} was read`);
}

describe("readInputFile", () => {
  it("reads a regular file", () => {
    writeFileSync(join(dir, "app.env"), "A=1\n");
    expect(readInputFile(join(dir, "app.env"))).toBe("A=1\n");
  });

  it("reads a file whose size the system does not know (/proc says 0)", () => {
    expect(readInputFile("/proc/self/status")).toMatch(/^Name:/);
  });

  it("reads a file of exactly the limit", () => {
    writeFileSync(join(dir, "edge"), Buffer.alloc(MAX_INPUT_BYTES, "a"));
    expect(readInputFile(join(dir, "edge"))).toHaveLength(MAX_INPUT_BYTES);
  });

  const refused: [string, () => string, RegExp][] = [
    ["/dev/zero, endless", () => "/dev/zero", /^a character device, not a regular file$/],
    ["a FIFO nobody writes to, at once", () => {
      const fifo = join(dir, "fifo");
      execFileSync("mkfifo", [fifo]);
      return fifo;
    }, /^a pipe, not a regular file$/],
    ["a directory", () => dir, /^a directory, not a regular file$/],
    ["a file one byte over the limit", () => {
      writeFileSync(join(dir, "big"), Buffer.alloc(MAX_INPUT_BYTES + 1, "a"));
      return join(dir, "big");
    }, /^larger than 4 MiB, the most pod reads from one file$/],
  ];
  it.each(refused)("refuses %s", (_, make, reason) => {
    const err = refusal(make());
    expect(err.reason).toMatch(reason);
    expect(err.hint).toMatch(/^give /);
  });

  it("keeps the system's code for a missing file, so callers can tell it apart", () => {
    expect(() => readInputFile(join(dir, "missing"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});
