// Every failure pod reports is one of these: it carries its exit code and a hint, and the
// CLI prints it once, as one line (the stack only with --debug).

export abstract class PodError extends Error {
  abstract readonly exitCode: number;
  /** What the user can do about it; printed after the message. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** The command line or the spec is wrong. Nothing was created. */
export class UsageError extends PodError {
  readonly exitCode = 2;
}

/** No Docker engine answers where pod looked. */
export class EngineUnreachableError extends PodError {
  readonly exitCode = 3;

  constructor(
    message: string,
    hint?: string,
    /** The socket's own answer (ECONNREFUSED, ENOENT…), where there was one. */
    readonly code: string | null = null,
  ) {
    super(message, hint);
  }
}

/** The pod named does not exist. */
export class PodNotFoundError extends PodError {
  readonly exitCode = 1;
}

/** An image pod needs is not on the engine and cannot be pulled here. */
export class ImageMissingError extends PodError {
  readonly exitCode = 1;
}

/** Registry credentials could not be found: a credential helper failed, or docker's config is broken. Never carries a secret. */
export class CredentialsError extends PodError {
  readonly exitCode = 1;
}

/**
 * A pull (or a registry's digest lookup) failed: the reference is not there, the registry
 * refused the credentials, or it could not be reached. Never carries the credentials.
 */
export class ImagePullError extends PodError {
  readonly exitCode = 1;
  constructor(
    message: string,
    hint: string | undefined,
    readonly kind: "not-found" | "unauthorized" | "unreachable" | "other",
    readonly ref: string,
    readonly registry: string,
  ) {
    super(message, hint);
  }

  /** The same failure, met before anything was touched: said so. */
  beforeAnyChange(): ImagePullError {
    return new ImagePullError(`${this.message}: nothing was changed`, this.hint, this.kind, this.ref, this.registry);
  }
}

/** Another pod command holds the pod's lock. */
export class PodBusyError extends PodError {
  readonly exitCode = 1;
}

/** The engine refused or failed a call. */
export class EngineError extends PodError {
  readonly exitCode = 1;
  constructor(
    message: string,
    hint?: string,
    readonly statusCode?: number,
  ) {
    super(message, hint);
  }
}

/** Replicas did not become ready; `details` names each one and why. */
export class NotReadyError extends PodError {
  readonly exitCode = 1;
  constructor(
    message: string,
    hint: string | undefined,
    readonly details: string[],
  ) {
    super(message, hint);
  }
}

/** A change failed and was undone or left partly done; says which. */
export class ChangeFailedError extends PodError {
  readonly exitCode = 1;
  constructor(
    message: string,
    hint: string | undefined,
    readonly cause: PodError,
    /** Other actions of the same step that failed too: every failure is said, not the first alone. */
    readonly others: PodError[] = [],
  ) {
    super(message, hint);
  }
}

/** Ctrl-C or SIGTERM arrived while a change was being applied. */
export class InterruptedError extends PodError {
  readonly exitCode = 130;
}

/** A command run in a replica (`pod exec`) exited non-zero: pod exits the same, saying nothing more. */
export class ExitStatus extends PodError {
  constructor(readonly exitCode: number) {
    super(`the command exited with ${exitCode}`);
  }
}

export function notFound(name: string): PodNotFoundError {
  return new PodNotFoundError(`no pod named ${name} on the engine`, "`pod ps` lists the pods; `pod up` creates one");
}

/**
 * A file pod would not read (not a regular file, too large). Not a PodError: the caller
 * knows which option named the file and says so.
 */
export class FileReadError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "FileReadError";
  }
}

/** How a failed read reads after "cannot be read": pod's reason, or the system's code (ENOENT). */
export function readFailure(err: unknown): { why: string; hint: string | undefined } {
  if (err instanceof FileReadError) return { why: err.reason, hint: err.hint };
  return { why: (err as NodeJS.ErrnoException).code ?? String(err), hint: undefined };
}
