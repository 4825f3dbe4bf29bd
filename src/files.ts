// The one way pod reads a file the user names: env files, compose files and their .env and
// env_file, a context's files. Only regular files, and only so much: /dev/zero, a FIFO or
// a huge file would otherwise block the process or fill its memory (and while a
// synchronous read runs, Ctrl-C and SIGTERM are not heard).
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { FileReadError } from "./errors.js";

/** A few MiB: far more than any env or compose file, little enough to hold at once. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  // Rounded up, so a file just over the cap never reads as the cap itself.
  return `${(Math.ceil((bytes / 1024 / 1024) * 10) / 10).toFixed(1)} MiB`;
}

function kind(s: Stats): string {
  if (s.isDirectory()) return "a directory";
  if (s.isFIFO()) return "a pipe";
  if (s.isCharacterDevice()) return "a character device";
  if (s.isBlockDevice()) return "a block device";
  if (s.isSocket()) return "a socket";
  return "not a file";
}

/**
 * The file's text. Opened without blocking (opening a FIFO would wait for a writer),
 * refused unless it is a regular file, and read up to `limit` bytes: one more is too
 * large. The system's errors keep their code (ENOENT, EACCES), so callers can tell "missing".
 */
export function readInputFile(path: string, limit = MAX_INPUT_BYTES): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new FileReadError(path, "ENOTREG", `${kind(stats)}, not a regular file`, "give the path of a regular file: pod reads no devices, pipes or directories");
    }
    // Read to the end rather than trust st_size: /proc files say 0, a file may grow.
    const buffer = Buffer.allocUnsafe(limit + 1);
    let length = 0;
    while (length <= limit) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > limit) {
      throw new FileReadError(path, "EFBIG", `larger than ${limit / 1024 / 1024} MiB, the most pod reads from one file`, "give a smaller file: env and compose files take a few KiB");
    }
    return buffer.toString("utf8", 0, length);
  } finally {
    closeSync(fd);
  }
}
