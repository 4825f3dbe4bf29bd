// Files the user names are read only when they are regular files, and at most so much.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { readInputFile } from "../../../src/spec/input.js";

const dir = mkdtempSync(join(tmpdir(), "pod-input-"));
writeFileSync(join(dir, "small"), "A=1\n");
writeFileSync(join(dir, "big"), "x".repeat(5000));
mkdirSync(join(dir, "sub"));
execFileSync("mkfifo", [join(dir, "fifo")]);

function refusal(path: string, maxBytes = 4096): string {
  try {
    readInputFile(path, { maxBytes });
  } catch (err) {
    if (err instanceof InputFileError) return err.reason;
    throw err;
  }
  throw new Error("read without a refusal");
}

describe("readInputFile", () => {
  it("reads a regular file whole", () => {
    expect(readInputFile(join(dir, "small"), { maxBytes: 4 })).toBe("A=1\n");
  });

  const rows: [string, string, string][] = [
    ["a file over the cap", join(dir, "big"), "is 5 KiB, more than the 4 KiB pod reads in one file"],
    ["a FIFO, which would wait for a writer", join(dir, "fifo"), "is a FIFO (named pipe), not a regular file"],
    ["/dev/zero, which never ends", "/dev/zero", "is a character device, not a regular file"],
    ["a directory", join(dir, "sub"), "is a directory, not a regular file"],
  ];
  for (const [name, path, reason] of rows) {
    it(`refuses ${name}`, () => expect(refusal(path)).toBe(reason));
  }

  it("leaves a missing file's error to the caller, with its code", () => {
    expect(() => readInputFile(join(dir, "nope"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});
