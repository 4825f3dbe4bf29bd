// ssh:// engines as the docker CLI reaches them (cli/connhelper): the system `ssh` runs
// `docker system dial-stdio` on the remote host, and HTTP goes over the child's stdin and
// stdout. So the user's ssh config (Port, User, IdentityFile, ProxyJump, ControlMaster),
// ssh-agent, known_hosts and StrictHostKeyChecking apply as they do for `docker -H ssh://`.
// Loaded only for ssh hosts: child_process is not on everyone's start path.
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, type AgentOptions } from "node:http";
import { Duplex } from "node:stream";
import type { SshFailure } from "./faults.js";

/**
 * ssh's arguments for `ssh://[user@]host[:port]`, as docker's (ssh.Spec.Args): its
 * ConnectTimeout and -T, then -l and -p only when the URL has them, so the config's User
 * and Port apply otherwise; `--` before the host, so no host is read as an option.
 */
export function sshArgv(host: string): string[] {
  const url = new URL(host);
  const name = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return [
    "-o",
    "ConnectTimeout=30",
    "-T",
    ...(url.username ? ["-l", decodeURIComponent(url.username)] : []),
    ...(url.port ? ["-p", url.port] : []),
    "--",
    name,
    "docker",
    "system",
    "dial-stdio",
  ];
}

/** What ssh's stderr says went wrong, and the line that says it. */
export function classifySsh(stderr: string): { kind: SshFailure["kind"]; detail: string } {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^@+$/.test(l) && !/^Warning: Permanently added/.test(l));
  const find = (re: RegExp) => lines.find((l) => re.test(l)) ?? "";
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed/.test(stderr)) {
    // Which known_hosts line holds the old key: what the user looks at next.
    return { kind: "host-key-changed", detail: find(/^Offending \S+ key in/) || find(/Host key for \S+ has changed/) };
  }
  if (/No \S+ host key is known for|Host key verification failed/.test(stderr)) {
    return { kind: "host-key-unknown", detail: find(/No \S+ host key is known for/) || find(/Host key verification failed/) };
  }
  if (/Permission denied \(|Too many authentication failures|no matching (host key type|key exchange method)/.test(stderr)) {
    return { kind: "auth", detail: find(/Permission denied|Too many authentication failures|no matching/) };
  }
  if (/Could not resolve hostname|Connection refused|Connection timed out|No route to host|Network is unreachable|Connection closed by remote host|kex_exchange_identification/.test(stderr)) {
    return { kind: "unreachable", detail: find(/Could not resolve hostname|Connection refused|Connection timed out|No route to host|Network is unreachable|Connection closed|kex_exchange_identification/).replace(/^ssh: /, "") };
  }
  if (/docker: (command )?not found|docker: No such file or directory|exec: "?docker"?: executable file not found/.test(stderr)) {
    return { kind: "no-docker", detail: find(/docker/) };
  }
  if (/Cannot connect to the Docker daemon|permission denied while trying to connect to the Docker daemon|dial unix .*: connect:/.test(stderr)) {
    return { kind: "no-engine", detail: find(/Docker daemon|dial unix/) };
  }
  return { kind: "other", detail: lines.at(-1) ?? "" };
}

function failure(kind: SshFailure["kind"], detail: string): SshFailure {
  return Object.assign(new Error(detail || kind), { code: "ESSH" as const, kind, detail });
}

/**
 * One ssh child as a socket for node's http client: its stdout is what the engine says,
 * its stdin what pod sends. It ends when ssh exits: cleanly, or destroyed with ssh's reason.
 */
class SshConnection extends Duplex {
  private readonly child: ChildProcess;
  private stderr = "";

  constructor(argv: string[]) {
    super();
    // Its own session, as docker's commandconn: Ctrl-C in pod's terminal does not reach
    // ssh (pod stops between steps and still needs the engine), and ssh has no terminal
    // to prompt on, so an unknown host key is refused unless the config accepts it.
    this.child = spawn("ssh", argv, { stdio: ["pipe", "pipe", "pipe"], detached: true });
    const { stdout, stderr, stdin } = this.child;
    stdout!.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) stdout!.pause();
    });
    stderr!.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-8192);
    });
    // Writing to an ssh that has exited: its exit (below) says why.
    stdin!.on("error", () => {});
    this.child.once("error", (err: NodeJS.ErrnoException) => this.destroy(err.code === "ENOENT" ? failure("no-ssh", "") : err));
    this.child.once("close", (code: number | null) => {
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      const why = classifySsh(this.stderr);
      this.destroy(failure(why.kind, why.detail || `ssh exited with ${code ?? "a signal"}`));
    });
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.child.stdin!.write(chunk, () => done());
  }

  /** End of pod's input (an exec's stdin closed): the remote command reads end-of-file, and its output still comes back. */
  override _final(done: (err?: Error | null) => void): void {
    this.child.stdin!.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    done(err);
  }

  // What node's http client and Agent call on a socket. An idle kept-alive connection must
  // not hold the process: unref'd, as node unrefs its own sockets.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback) this.once("timeout", callback);
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void } | null)?.ref?.();
    return this;
  }
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return this;
  }
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once("finish", () => this.destroy());
  }
}

/** docker-modem's http Agent for one ssh:// host: each connection an ssh child, kept alive for the next request. */
export class SshAgent extends Agent {
  constructor(
    private readonly argv: string[],
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  override createConnection(): Duplex {
    return new SshConnection(this.argv);
  }
}
