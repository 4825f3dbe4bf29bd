// A failed engine call as the user reads it. docker-modem fails in three ways: an HTTP
// status it did not list as success (with the engine's JSON message), a socket error
// (errno, TLS), or a transport's own (ssh); each becomes one typed PodError here. Pure.
import { EngineError, EngineUnreachableError, PodError } from "../errors.js";

/** docker-modem's error for a status it does not count as success. */
export interface ModemError extends Error {
  statusCode?: number;
  /** The answer's body: parsed JSON, or a Buffer when it is not JSON (null for streams). */
  json?: unknown;
  code?: string;
}

/** An ssh:// transport's failure (./ssh.ts), already read from ssh's own words. */
export interface SshFailure extends Error {
  code: "ESSH";
  kind: "host-key-changed" | "host-key-unknown" | "auth" | "unreachable" | "no-docker" | "no-engine" | "no-ssh" | "other";
  /** ssh's (or the remote docker's) line that says why. */
  detail: string;
}

/** Where the engine is, for messages. */
export interface Where {
  /** unix:///var/run/docker.sock, tcp://h:2376, ssh://alias */
  host: string;
  /** How it was chosen: "default", "--host", "DOCKER_CONTEXT=x", … */
  source: string;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ENOTSOCK", "ECONNABORTED"]);
const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;
const START_ONE = "start one (`make build` in pod's checkout installs and starts Debian's docker.io), or point DOCKER_HOST, --host or --context at a running engine";

/** The engine's own words in a failed answer: its JSON `message`, else the text. */
export function engineMessage(err: ModemError): string {
  const body = err.json;
  if (body && typeof body === "object" && !Buffer.isBuffer(body) && typeof (body as { message?: unknown }).message === "string") {
    return (body as { message: string }).message.trim();
  }
  if (Buffer.isBuffer(body) || typeof body === "string") {
    const text = String(body).trim();
    if (text) return firstLine(text);
  }
  // Streams carry the reason only in the message: "(HTTP code 404) no such container - No such container: x ".
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*?)\s*$/.exec(err.message);
  const text = m?.[1]?.trim() ?? "";
  return text === "" || text === "[object Object]" ? "" : firstLine(text);
}

function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}

/**
 * `what` says what pod was doing ("create container web-1", "inspect image web:2"). An
 * abort stays an AbortError (the caller asked for it); a PodError stays itself.
 */
/**
 * The answer's status as Docker gives it. Podman answers a missing or a taken name with 500;
 * its words say which (Docker's 404 and 409), and every caller reads Docker's.
 */
export function statusOf(err: unknown): number | null {
  const e = err as ModemError | null;
  const status = e?.statusCode;
  if (typeof status !== "number") return null;
  if (status !== 500) return status;
  const words = engineMessage(e!);
  if (/no such container|no such network/.test(words)) return 404;
  if (/container name "[^"]*" is already in use|network name \S+ already used/.test(words)) return 409;
  return status;
}

/**
 * Podman's 500s for a container caught between its exit and its restart: it cannot kill it
 * ("container state improper") or read its cgroup ("read /proc/N/cgroup: no such process").
 * A moment later the same call succeeds.
 */
export function midRestart(err: unknown): boolean {
  const e = err as ModemError | null;
  return e?.statusCode === 500 && /container state improper|read \/proc\/\d+\/\S+: no such process/.test(engineMessage(e));
}

export function toPodError(err: unknown, what: string, where: Where): Error {
  if (err instanceof PodError) return err;
  if (!(err instanceof Error)) return new EngineError(`${what}: ${String(err)}`);
  const e = err as ModemError;
  if (e.name === "AbortError") return e;
  if (typeof e.statusCode === "number") {
    const status = statusOf(e)!;
    if (status >= 300 && status < 400) {
      // Docker cleans paths with `..` by redirecting (301): never a success, never followed.
      return new EngineError(`${what}: the engine answered with a redirect (HTTP ${status}) instead of a result`, "a name with `..` or `//` in it is not a valid reference", status);
    }
    return new EngineError(`${what}: ${engineMessage(e) || `HTTP ${status}`}`, undefined, status);
  }
  if ((e as Partial<SshFailure>).code === "ESSH") return sshError(e as SshFailure, where);
  const from = where.source === "default" ? "" : `; from ${where.source}`;
  const code = e.code ?? "";
  if (UNREACHABLE.has(code)) {
    const hint = code === "EACCES" ? "pod may not open the engine's socket: run it as root or as a member of the docker group (see the socket's owner and mode)" : START_ONE;
    return new EngineUnreachableError(`no Docker engine answers at ${where.host} (${code}${from})`, hint, code);
  }
  if (code.startsWith("HPE_")) {
    // Something answered, but not HTTP: over ssh, a login shell's or a forced command's words.
    return new EngineUnreachableError(
      `no Docker engine answers at ${where.host}: what answers there does not speak the Docker API (${e.message}${from})`,
      where.host.startsWith("ssh://") ? "the ssh login must run `docker system dial-stdio` as it is asked (no ForceCommand, no nologin shell, nothing printed by the shell's startup files)" : START_ONE,
    );
  }
  if (TLS_FAILURE.test(code)) {
    return new EngineUnreachableError(
      `TLS with the engine at ${where.host} failed (${code}: ${e.message})`,
      "check the engine's certificate against ca.pem (DOCKER_CERT_PATH or the context's TLS files)",
    );
  }
  return new EngineError(`${what}: ${e.message}`);
}

function sshError(e: SshFailure, where: Where): PodError {
  const at = where.host;
  const why = e.detail ? ` (${e.detail})` : "";
  switch (e.kind) {
    case "host-key-changed":
      return new EngineUnreachableError(
        `the ssh host key of ${at} has changed, so ssh refused to connect: it may not be the host you know${why}`,
        "if its key really changed (a reinstall), check the new one and remove the old with ssh-keygen -R HOST",
      );
    case "host-key-unknown":
      return new EngineUnreachableError(
        `the ssh host key of ${at} is not known, and your StrictHostKeyChecking refuses unknown hosts${why}`,
        "connect once with ssh to check and accept its key (it goes to known_hosts), or set StrictHostKeyChecking accept-new for that host",
      );
    case "auth":
      return new EngineUnreachableError(`ssh could not log in to ${at}${why}`, "check that host's User and IdentityFile in ~/.ssh/config, or your ssh-agent's keys; `ssh -v HOST` shows what was tried");
    case "unreachable":
      return new EngineUnreachableError(`no ssh server answers at ${at}${why}`, "check the host name and port (ssh's HostName and Port for it)");
    case "no-docker":
      return new EngineUnreachableError(`${at} has no docker command to run \`docker system dial-stdio\`${why}`, "install the docker CLI on that host, on the PATH of the user pod logs in as");
    case "no-engine":
      return new EngineUnreachableError(`no Docker engine answers on ${at}${why}`, "start the engine on that host, and let the ssh user reach its socket (the docker group)");
    case "no-ssh":
      return new EngineUnreachableError(`pod reaches ${at} with the system ssh, and there is no ssh on PATH`, "install it (Debian: apt-get install openssh-client)");
    default:
      return new EngineUnreachableError(`ssh to ${at} failed${why}`, "`ssh -v HOST docker system dial-stdio` shows what ssh does");
  }
}
