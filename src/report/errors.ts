// The error as users read it: one line (what, why; what to do), then any diagnosis.
import { ChangeFailedError, NotReadyError, PodError } from "../errors.js";

export function formatError(err: unknown, debug: boolean): string[] {
  if (!(err instanceof PodError)) {
    const e = err as Error;
    return [`pod: unexpected error: ${e?.message ?? String(err)}`, ...(debug && e?.stack ? [e.stack] : [])];
  }
  const lines = [`pod: ${err.message}${err.hint ? `; ${err.hint}` : ""}`];
  const cause = err instanceof ChangeFailedError ? err.cause : err;
  if (cause instanceof NotReadyError) {
    if (cause !== err) lines.push(`  ${cause.message}${cause.hint ? `; ${cause.hint}` : ""}`);
    lines.push(...cause.details.map((d) => `  ${d}`));
  } else if (cause !== err) {
    lines.push(`  cause: ${cause.message}${cause.hint ? `; ${cause.hint}` : ""}`);
  }
  if (err instanceof ChangeFailedError) lines.push(...err.others.map((o) => `  also: ${o.message}`));
  if (debug && err.stack) lines.push(err.stack);
  return lines;
}

/** The same, for --json. */
export function errorObject(err: unknown): { message: string; hint: string | null; exitCode: number; details: string[] } {
  if (!(err instanceof PodError)) return { message: `unexpected error: ${(err as Error)?.message ?? String(err)}`, hint: null, exitCode: 1, details: [] };
  const cause = err instanceof ChangeFailedError ? err.cause : err;
  const details = cause instanceof NotReadyError ? [cause.message, ...cause.details] : cause !== err ? [cause.message] : [];
  if (err instanceof ChangeFailedError) details.push(...err.others.map((o) => o.message));
  return { message: err.message, hint: err.hint ?? null, exitCode: err.exitCode, details };
}
