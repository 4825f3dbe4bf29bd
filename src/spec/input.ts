// Files the user names (compose files, .env, env files) are read whole, so each read is
// capped and only a regular file is read at all: a FIFO, a device or /dev/zero would block
// or grow memory for ever.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { InputFileError } from "../errors.js";

/** Larger than any compose or env file people write, and than any environment a process can be given. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  // Rounded up, so a file just over the cap never reads as the cap itself.
  return `${(Math.ceil((bytes / 1024 / 1024) * 10) / 10).toFixed(1)} MiB`;
}

function kind(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

const tooLarge = (path: string, size: number, maxBytes: number) =>
  new InputFileError(path, `is ${formatSize(size)}, more than the ${formatSize(maxBytes)} pod reads in one file`, "check that the path names the file you mean; move large values elsewhere");

/**
 * A regular file's text, at most `maxBytes` of it. Errors of the file system (ENOENT,
 * EACCES) are thrown as they come, for the caller to phrase; anything else pod refuses
 * with an InputFileError.
 */
export function readInputFile(path: string, o: { maxBytes: number } = { maxBytes: MAX_INPUT_BYTES }): string {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(path, `is ${kind(st)}, not a regular file`, "give the path of a file; pod reads files whole, not streams");
    if (st.size > o.maxBytes) throw tooLarge(path, st.size, o.maxBytes);
    // The size said is not trusted: the file may grow while it is read.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, o.maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > o.maxBytes) throw tooLarge(path, total, o.maxBytes);
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
