// "Up" means serving: every replica waited for runs, and the pod's namespace holds the
// listeners it should on every target port (src/probes/: read on this host, or answered by
// the sandbox from inside the namespace, so this works on a remote engine too).
import { retryUntil, type Clock } from "../clock.js";
import type { ContainerClient, EventClient } from "../engine/engine.js";
import type { ContainerHealth, ContainerInfo } from "../engine/types.js";
import type { Listeners, Probes, SandboxRef } from "../probes/probes.js";
import { Label } from "../state/labels.js";
import { InterruptedError, NotReadyError } from "../errors.js";

/** Listeners on `port` that were not there at `baseline`. */
function added(now: Listeners, baseline: Listeners, port: string): number {
  const n = now[port];
  const b = baseline[port];
  if (!n) return 0;
  if (!b) return n.count;
  if (n.inodes && b.inodes) return [...n.inodes].filter((i) => !b.inodes!.has(i)).length;
  return n.count - b.count;
}

export interface WaitedReplica {
  id: string;
  name: string;
  /** Its restart count when the wait began: a restart during the wait is a failure. */
  restarts: number;
}

export interface WaitReadyOptions {
  /** The pod: one listing of its containers per poll tells each replica's state. */
  pod: string;
  sandbox: SandboxRef;
  /**
   * Replicas that have a restart policy while waited for: a restart during the wait is a
   * failure, which only each one's inspect tells (one call per replica per poll). New
   * replicas have none until they serve: one listing per poll says enough.
   */
  watchRestarts: boolean;
  /**
   * listeners: sockets counted in the shared namespace (reuseport, host);
   * addresses: each replica, in its own namespace, must accept connections at its address (dnat).
   */
  mode?: "listeners" | "addresses";
  replicas: WaitedReplica[];
  ports: string[];
  /** `count` listeners per port: new ones since `baseline`, or in all when it is null. */
  target: { count: number; baseline: Listeners | null };
  /** The replicas have a health check: ready means listening and healthy. */
  health: boolean;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

const POLL_MS = 100;
// With no port to watch, a replica must stay up this long to count as started.
const SETTLE_MS = 1000;

interface Poll {
  /** What is not there yet: ports short of listeners, replicas not healthy yet. */
  short: string[];
  progress: string;
  /** Whether the listeners are all there, and only health is awaited. */
  listening: boolean;
  /** The waited replicas' health, as last seen (health-checked replicas). */
  health: (ContainerHealth | null)[];
}

export async function waitReady(engine: ContainerClient & EventClient, probes: Probes, o: WaitReadyOptions): Promise<void> {
  const start = o.clock.now();
  await retryUntil<Poll>({
    fn: async () => {
      const details = await states(engine, o);
      const failed = o.replicas.filter((r, i) => {
        const d = details[i];
        return !d || !d.running || d.restarting || d.restartCount > r.restarts;
      });
      if (failed.length > 0) throw await diagnoseExited(engine, failed, o.ports);
      const health = details.map((d) => d?.health ?? null);
      if (o.health) {
        // A replica judged unhealthy (its retries spent) will not serve: said at once.
        const sick = o.replicas.filter((_, i) => health[i]?.status === "unhealthy");
        if (sick.length > 0) throw diagnoseUnhealthy(o, sick, health, o.clock.now() - start);
      }
      const listening = await listenersPoll(probes, o, details, start);
      if (listening.short.length > 0 || !o.health) return { ...listening, listening: listening.short.length === 0, health };
      // Ready means listening and healthy.
      const notYet = o.replicas.filter((_, i) => health[i]?.status !== "healthy");
      const progress = `${o.replicas.length - notYet.length} of ${o.replicas.length} healthy`;
      if (notYet.length > 0) o.onProgress?.(progress);
      return { short: notYet.map((r) => r.name), progress, listening: true, health };
    },
    done: (r) => r.short.length === 0,
    onTimeout: (last) => (last.listening && o.health ? diagnoseNeverHealthy(o, last) : diagnoseSilent(engine, o, last.progress)),
    onAbort: () => new InterruptedError("interrupted while waiting for replicas to serve"),
    timeoutMs: o.timeoutMs,
    intervalMs: POLL_MS,
    clock: o.clock,
    ...(o.signal ? { signal: o.signal } : {}),
  });
}

/** Whether the pod's namespace holds the listeners asked for (or, dnat, each replica answers at its address). */
async function listenersPoll(probes: Probes, o: WaitReadyOptions, details: (ReplicaState | null)[], start: number): Promise<{ short: string[]; progress: string }> {
  if (o.ports.length === 0) return { short: o.clock.now() - start < SETTLE_MS ? ["settling"] : [], progress: "" };
  if (o.mode === "addresses") {
    // Each replica at its own address, on every tcp port (a udp port cannot be asked).
    const tcp = o.ports.filter((p) => p.endsWith("/tcp")).map((p) => p.split("/")[0]!);
    const targets = details.flatMap((d) => tcp.map((port) => `${d?.networks[0]?.ip ?? "0.0.0.0"}:${port}`));
    const answers = await probes.connect(o.sandbox, targets);
    const short = targets.filter((t) => answers[t] !== "ok");
    const progress = `${targets.length - short.length} of ${targets.length} replica addresses answer`;
    if (short.length > 0) o.onProgress?.(progress);
    return { short, progress };
  }
  const now = await probes.listeners(o.sandbox, o.ports);
  const have = (p: string) => (o.target.baseline ? added(now, o.target.baseline, p) : (now[p]?.count ?? 0));
  const short = o.ports.filter((p) => have(p) < o.target.count);
  const what = o.target.baseline ? "new listeners" : "listeners";
  const progress = short.map((p) => `${have(p)} of ${o.target.count} ${what} on ${p}`).join(", ");
  if (short.length > 0) o.onProgress?.(progress);
  return { short, progress };
}

type ReplicaState = Pick<ContainerInfo, "running" | "restarting" | "restartCount" | "networks" | "health">;

/** Each waited replica's state, in order; null when it is gone. */
async function states(engine: ContainerClient, o: WaitReadyOptions): Promise<(ReplicaState | null)[]> {
  // Addresses and health come only with an inspect.
  if (o.watchRestarts || o.health || o.mode === "addresses") return Promise.all(o.replicas.map((r) => engine.inspectContainer(r.id)));
  const listed = new Map((await engine.listContainers([`${Label.pod}=${o.pod}`])).map((c) => [c.id, c]));
  return o.replicas.map((r) => {
    const c = listed.get(r.id);
    return c ? { running: c.state === "running", restarting: c.state === "restarting", restartCount: r.restarts, networks: [], health: null } : null;
  });
}

function checkLines(o: WaitReadyOptions, health: (ContainerHealth | null)[]): string[] {
  return o.replicas.map((r, i) => {
    const h = health[i];
    if (!h) return `${r.name}: no health report yet`;
    const output = h.lastOutput.trim().split("\n").at(-1) ?? "";
    return `${r.name}: ${h.status}${h.failingStreak > 0 ? `, ${h.failingStreak} failed checks in a row` : ""}${output ? `; the check printed: ${output}` : ""}`;
  });
}

function diagnoseUnhealthy(o: WaitReadyOptions, sick: WaitedReplica[], health: (ContainerHealth | null)[], elapsedMs: number): NotReadyError {
  const names = sick.map((r) => r.name).join(", ");
  return new NotReadyError(
    `replica${sick.length > 1 ? "s" : ""} ${names} turned unhealthy ${Math.round(elapsedMs / 1000)}s after starting: the health check failed every time it was asked`,
    "`pod inspect` shows each replica's last check; fix the check or the server, or raise --health-retries / --health-start-period",
    checkLines(o, health),
  );
}

function diagnoseNeverHealthy(o: WaitReadyOptions, last: Poll): NotReadyError {
  return new NotReadyError(
    `${last.short.join(", ")} listen${last.short.length > 1 ? "" : "s"} but did not turn healthy within ${Math.round(o.timeoutMs / 1000)}s (${last.progress})`,
    "a check runs only after its first interval: raise --ready-timeout, or shorten --health-interval",
    checkLines(o, last.health),
  );
}

/** The likely cause of a replica's exit, from its last words. */
export function likelyCause(logs: string[], exitCode: number, oomKilled: boolean, ports: string[]): string | null {
  const text = logs.join("\n");
  if (/address already in use|EADDRINUSE/i.test(text)) {
    return "another socket holds the port without sharing it: the server must set SO_REUSEPORT before bind, and every replica must run as the same user (the kernel groups SO_REUSEPORT sockets of one effective uid only); for a server that cannot, use --balance dnat";
  }
  if (oomKilled) return "it ran out of memory and the kernel killed it: raise --memory";
  if (exitCode === 137) return "it was killed (SIGKILL), most likely out of memory: raise --memory";
  if (exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory/i.test(text)) {
    return "its command cannot run in the image: check the image's entrypoint and the command after --";
  }
  if (/permission denied/i.test(text) && ports.some((p) => Number(p.split("/")[0]) < 1024)) {
    return "binding a port below 1024 needs root: run the server as root or listen on a port from 1024 up";
  }
  return null;
}

export async function describeReplica(engine: ContainerClient & EventClient, r: { id: string; name: string }, ports: string[]): Promise<string[]> {
  const d = await engine.inspectContainer(r.id);
  if (!d) return [`${r.name}: removed while starting`];
  const logs = await engine.logTail(r.id, 5).catch(() => []);
  const lines = [`${r.name}: ${d.running ? "running" : `exit code ${d.exitCode}`}${d.oomKilled ? ", killed out of memory" : ""}${d.restartCount > 0 ? `, ${d.restartCount} restarts` : ""}`];
  if (d.error) lines.push(`  engine: ${d.error}`);
  // A restarted replica repeats its last words: show each once.
  const unique = [...new Set(logs)];
  if (unique.length > 0) lines.push(`  last log lines:`, ...unique.map((l) => `    ${l}`));
  const cause = likelyCause(logs, d.exitCode, d.oomKilled, ports);
  if (cause) lines.push(`  likely cause: ${cause}`);
  return lines;
}

async function diagnoseExited(engine: ContainerClient & EventClient, failed: WaitedReplica[], ports: string[]): Promise<NotReadyError> {
  const details = (await Promise.all(failed.map((r) => describeReplica(engine, r, ports)))).flat();
  const names = failed.map((r) => r.name).join(", ");
  const where = ports.length > 0 ? ` before listening on ${ports.join(", ")}` : "";
  return new NotReadyError(`replica${failed.length > 1 ? "s" : ""} ${names} exited${where}`, undefined, details);
}

async function diagnoseSilent(engine: ContainerClient & EventClient, o: WaitReadyOptions, progress: string): Promise<NotReadyError> {
  const first = o.replicas[0];
  const logs = first ? await engine.logTail(first.id, 5).catch(() => []) : [];
  const details = first ? (logs.length > 0 ? [`last log lines of ${first.name}:`, ...logs.map((l) => `  ${l}`)] : [`${first.name} logged nothing`]) : [];
  const who = o.replicas.length > 0 ? `${o.replicas.map((r) => r.name).join(", ")} ${o.replicas.length > 1 ? "run" : "runs"} but the pod` : "the pod";
  return new NotReadyError(
    `${who} does not listen as it should after ${Math.round(o.timeoutMs / 1000)}s (${progress})`,
    `the server must listen on ${o.ports.join(", ")} inside the container, on every address (0.0.0.0 or ::, not 127.0.0.1: -p HOST:CONTAINER names the container port); if it starts slowly, raise --ready-timeout`,
    details,
  );
}
