// The real I/O behind CredentialDeps: files from disk, credential helpers as child processes.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import type { CredentialDeps, Environ, HelperResult } from "./credentials.js";

/** A helper that waits for a person (a locked keychain's dialog) must not hang a pull for ever. */
const HELPER_TIMEOUT_MS = 60_000;
/** A `get` answers a few hundred bytes; more is not a helper speaking the protocol. */
const HELPER_MAX_OUTPUT = 1024 * 1024;

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export async function runCredentialHelper(program: string, args: string[], input: string, env: Environ): Promise<HelperResult> {
  // Loaded here only: child_process costs every other command start-up time.
  const { execFile } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: HELPER_MAX_OUTPUT, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") return reject(err);
      if (err && err.killed) return reject(new Error(`no answer within ${HELPER_TIMEOUT_MS / 1000}s`));
      if (err && typeof err.code !== "number") return reject(err);
      resolve({ code: err ? (err.code as unknown as number) : 0, stdout, stderr });
    });
    // The helper may exit without reading its input: that is its answer, not ours to fail on.
    child.stdin?.on("error", () => {});
    child.stdin?.end(input);
  });
}

export function systemCredentialDeps(): CredentialDeps {
  return { readFile: readOrNull, runHelper: runCredentialHelper, home: homedir() };
}
