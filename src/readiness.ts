// "Up" means serving: every new replica runs and the pod's namespace holds one more
// listener per new replica on every target port. The sandbox answers from inside the
// namespace (`pod-sandbox probe`) through `docker exec`, so this works on a remote engine.
import type { Clock } from "./clock.js";
import { SANDBOX_BINARY } from "./containers.js";
import type { Engine } from "./engine.js";
import { EngineError, InterruptedError, NotReadyError } from "./errors.js";

export type ListenerCounts = Record<string, number>;

export async function probeListeners(engine: Engine, sandboxId: string, ports: string[]): Promise<ListenerCounts> {
  if (ports.length === 0) return {};
  const { exitCode, output } = await engine.exec(sandboxId, [SANDBOX_BINARY, "probe", ...ports]);
  if (exitCode !== 0) throw new EngineError(`the sandbox's listener probe failed (exit ${exitCode}): ${output.trim()}`);
  const counts: ListenerCounts = {};
  for (const line of output.trim().split("\n")) {
    const [port, count] = line.trim().split(/\s+/);
    if (port && count) counts[port] = Number(count);
  }
  return counts;
}

export interface ReplicaRef {
  id: string;
  name: string;
}

export interface WaitReadyOptions {
  sandboxId: string;
  /** The replicas being waited for: any of them exiting fails the wait at once. */
  replicas: ReplicaRef[];
  ports: string[];
  /** Listeners each port must reach in the pod's namespace. */
  target: ListenerCounts;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

const POLL_MS = 100;
// With no port to watch, a replica must stay up this long to count as started.
const SETTLE_MS = 1000;

export async function waitReady(engine: Engine, o: WaitReadyOptions): Promise<void> {
  const start = o.clock.now();
  for (;;) {
    if (o.signal?.aborted) throw new InterruptedError("interrupted while waiting for replicas to listen");
    const details = await Promise.all(o.replicas.map((r) => engine.inspectContainer(r.id)));
    const failed = o.replicas.filter((_, i) => {
      const d = details[i];
      // A restart count above zero means it exited at least once, even if the restart
      // policy has it running again now.
      return !d || !d.running || d.restartCount > 0 || d.state === "restarting";
    });
    if (failed.length > 0) throw await diagnoseExited(engine, failed, o.ports);

    const elapsed = o.clock.now() - start;
    if (o.ports.length === 0) {
      if (elapsed >= SETTLE_MS) return;
    } else {
      const counts = await probeListeners(engine, o.sandboxId, o.ports);
      const short = o.ports.filter((p) => (counts[p] ?? 0) < (o.target[p] ?? 0));
      if (short.length === 0) return;
      const progress = short.map((p) => `${counts[p] ?? 0} of ${o.target[p]} listeners on ${p}`).join(", ");
      o.onProgress?.(progress);
      if (elapsed >= o.timeoutMs) throw await diagnoseSilent(engine, o, progress);
    }
    await o.clock.sleep(POLL_MS);
  }
}

/** The likely cause of a replica's exit, from its last words. */
export function likelyCause(logs: string[], exitCode: number, oomKilled: boolean, ports: string[]): string | null {
  const text = logs.join("\n");
  if (/address already in use|EADDRINUSE/i.test(text)) {
    return "another socket holds the port without sharing it: the server must set SO_REUSEPORT before bind, and every replica must run as the same user (the kernel groups SO_REUSEPORT sockets of one effective uid only)";
  }
  if (oomKilled || exitCode === 137) return "it was killed, most likely out of memory: raise --memory";
  if (exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory/i.test(text)) {
    return "its command cannot run in the image: check the image's entrypoint and the command after --";
  }
  if (/permission denied/i.test(text) && ports.some((p) => Number(p.split("/")[0]) < 1024)) {
    return "binding a port below 1024 needs root: run the server as root or listen on a port from 1024 up";
  }
  return null;
}

async function diagnoseExited(engine: Engine, failed: ReplicaRef[], ports: string[]): Promise<NotReadyError> {
  const details: string[] = [];
  for (const r of failed) {
    const d = await engine.inspectContainer(r.id);
    const logs = d ? await engine.logTail(r.id, 5).catch(() => []) : [];
    const restarted = d && (d.state === "restarting" || d.restartCount > 0) ? ", restarted by its restart policy" : "";
    details.push(d ? `${r.name}: exit code ${d.exitCode}${restarted}` : `${r.name}: removed while starting`);
    if (d?.error) details.push(`  engine: ${d.error}`);
    // A restarted replica repeats its last words: show each once.
    const lines = [...new Set(logs)];
    if (lines.length > 0) details.push(`  last log lines:`, ...lines.map((l) => `    ${l}`));
    const cause = d ? likelyCause(logs, d.exitCode, d.oomKilled, ports) : null;
    if (cause) details.push(`  likely cause: ${cause}`);
  }
  const names = failed.map((r) => r.name).join(", ");
  const where = ports.length > 0 ? ` before listening on ${ports.join(", ")}` : "";
  return new NotReadyError(`replica${failed.length > 1 ? "s" : ""} ${names} exited${where}`, undefined, details);
}

async function diagnoseSilent(engine: Engine, o: WaitReadyOptions, progress: string): Promise<NotReadyError> {
  const first = o.replicas[0]!;
  const logs = await engine.logTail(first.id, 5).catch(() => []);
  const details = logs.length > 0 ? [`last log lines of ${first.name}:`, ...logs.map((l) => `  ${l}`)] : [`${first.name} logged nothing`];
  return new NotReadyError(
    `${o.replicas.map((r) => r.name).join(", ")} ${o.replicas.length > 1 ? "run" : "runs"} but the pod does not listen as it should after ${Math.round(o.timeoutMs / 1000)}s (${progress})`,
    `the server must listen on ${o.ports.join(", ")} inside the container (-p HOST:CONTAINER names the container port); if it starts slowly, raise --ready-timeout`,
    details,
  );
}
