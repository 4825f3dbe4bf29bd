// What the kernel of the engine's host says about a pod: which sockets listen in its
// namespace, whether replica addresses accept connections, a host sysctl. When pod runs on
// the engine's host these are file reads and local connects (fast: `pod ps` and readiness
// waits ask often); otherwise the sandbox's own program answers from inside the namespace
// (`pod-sandbox probe|connect`), so a remote engine works the same. Apart from the adapter:
// the engine interfaces stay one call each.
import { closeSync, openSync, readSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { SANDBOX_PROGRAM, type ContainerClient, type ExecClient, type SystemClient } from "../engine/engine.js";
import { EngineError } from "../errors.js";
import { listenersComplete, listenersFromTables, socketsInUse, type NetTable } from "./procnet.js";

/** Per port ("8080/tcp"): how many sockets listen, and which (inodes), when the probe says. */
export type Listeners = Record<string, { count: number; inodes: Set<string> | null }>;

/** The files of the engine's host, when pod runs on it; null when a file cannot be read. */
export interface HostFiles {
  /** The file, or as much of it as `enough` needs: reading stops once it says so. */
  read(path: string, enough?: (text: string) => boolean): string | null;
}

export const localFiles: HostFiles = {
  read: (path, enough) => {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return null;
    }
    try {
      const chunk = Buffer.alloc(65536);
      let text = "";
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) return text;
        text += chunk.toString("utf8", 0, n);
        if (enough?.(text)) return text;
      }
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  },
};

/** A TCP connect from this host: "ok", "refused", "timeout", "unreachable" or "error". */
export type Connector = (target: string) => Promise<string>;

export const tcpConnect: Connector = async (target) => {
  const { connect } = await import("node:net");
  return new Promise<string>((resolve) => {
    const colon = target.lastIndexOf(":");
    const socket = connect({ host: target.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(target.slice(colon + 1)), timeout: 500 });
    const done = (answer: string) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once("connect", () => done("ok"));
    socket.once("timeout", () => done("timeout"));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED" ? "refused" : err.code === "EHOSTUNREACH" || err.code === "ENETUNREACH" ? "unreachable" : "error"));
  });
};

/** `PORT/PROTO COUNT [INODE,INODE…|-]` per line; older sandboxes print no inodes. */
export function parseProbe(output: string): Listeners {
  const listeners: Listeners = {};
  for (const line of output.trim().split("\n")) {
    const [port, count, inodes] = line.trim().split(/\s+/);
    if (!port || count === undefined) continue;
    listeners[port] = {
      count: Number(count),
      inodes: inodes === undefined ? null : new Set(inodes === "-" ? [] : inodes.split(",")),
    };
  }
  return listeners;
}

export interface SandboxRef {
  id: string;
  /** Its process as last observed, if known: saves an inspect. */
  pid?: number;
}

export class Probes {
  /** Each sandbox's process on this host, once found: a readiness wait asks every 100 ms. */
  private readonly pids = new Map<string, number>();

  constructor(
    private readonly engine: SystemClient & ContainerClient & ExecClient,
    private readonly host: HostFiles = localFiles,
    private readonly connector: Connector = tcpConnect,
    private readonly interfaces: () => ReturnType<typeof networkInterfaces> = networkInterfaces,
  ) {}

  private get local(): boolean {
    return this.engine.address.startsWith("unix://");
  }

  /**
   * The container's main process, when pod runs on the engine's host: its cgroup must name
   * the container, or the PID is another process's (pod in a container, a remote engine)
   * and the caller asks the sandbox instead. null then.
   */
  private async hostPid(sandbox: SandboxRef): Promise<number | null> {
    if (!this.local) return null;
    const names = (pid: number, fullId: string) => fullId.length === 64 && (this.host.read(`/proc/${pid}/cgroup`) ?? "").includes(fullId);
    const cached = this.pids.get(sandbox.id);
    if (cached !== undefined && names(cached, sandbox.id)) return cached;
    if (sandbox.pid && names(sandbox.pid, sandbox.id)) return sandbox.pid;
    const info = await this.engine.inspectContainer(sandbox.id).catch(() => null);
    if (!info || !info.pid || !names(info.pid, info.id)) return null;
    this.pids.set(sandbox.id, info.pid);
    return info.pid;
  }

  /** The listening sockets in a sandbox's namespace on each port. */
  async listeners(sandbox: SandboxRef, ports: string[]): Promise<Listeners> {
    if (ports.length === 0) return {};
    const pid = await this.hostPid(sandbox);
    if (pid !== null) return parseProbe(listenersFromTables(this.tables(pid, ports), ports));
    const { exitCode, output } = await this.engine.exec(sandbox.id, [SANDBOX_PROGRAM, "probe", ...ports]);
    if (exitCode !== 0) throw new EngineError(`the sandbox's listener probe failed (exit ${exitCode}): ${output.trim()}`);
    return parseProbe(output);
  }

  /**
   * Whether each `ip:port` accepts a TCP connection, as seen from the sandbox's network:
   * from this host when the engine is on it, else from inside the sandbox.
   */
  async connect(sandbox: SandboxRef, targets: string[]): Promise<Record<string, string>> {
    if (targets.length === 0) return {};
    if ((await this.hostPid(sandbox)) !== null) {
      const answers = await Promise.all(targets.map(this.connector));
      return Object.fromEntries(targets.map((t, i) => [t, answers[i]!]));
    }
    const { exitCode, output } = await this.engine.exec(sandbox.id, [SANDBOX_PROGRAM, "connect", ...targets]);
    if (exitCode !== 0) throw new EngineError(`the sandbox's connect probe failed (exit ${exitCode}): ${output.trim()}`);
    return Object.fromEntries(
      output
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.trim().split(" ") as [string, string]),
    );
  }

  /**
   * The namespace's /proc/net tables, as few as the ports need: each read of a tcp table walks
   * the kernel's established hash, so tables that hold no socket (sockstat says) are not read,
   * and a tcp table only up to its last listener. No IPv6 in the kernel: no tcp6/udp6 table.
   */
  private tables(pid: number, ports: string[]): { tcp: string[]; udp: string[] } {
    const inUse = socketsInUse(this.host.read(`/proc/${pid}/net/sockstat`) ?? "", this.host.read(`/proc/${pid}/net/sockstat6`) ?? "");
    const wanted = new Set(ports.map((p) => p.split("/")[1] ?? "tcp"));
    const table = (t: NetTable): string => {
      if (!wanted.has(t.replace("6", "")) || inUse[t] === 0) return "";
      return this.host.read(`/proc/${pid}/net/${t}`, t.startsWith("tcp") ? (text) => listenersComplete(text, inUse[t]) : undefined) ?? "";
    };
    return { tcp: [table("tcp"), table("tcp6")], udp: [table("udp"), table("udp6")] };
  }

  /** The addresses of the engine's host, when pod runs on it (where -p HOST_IP: can publish); else null. */
  hostAddresses(): string[] | null {
    if (!this.local) return null;
    return Object.values(this.interfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  }

  /** A sysctl of the engine host's own network namespace, when pod can read it (a local engine); else null. */
  hostSysctl(name: string): string | null {
    if (!this.local) return null;
    return this.host.read(`/proc/sys/${name.replace(/\./g, "/")}`)?.trim() ?? null;
  }
}
