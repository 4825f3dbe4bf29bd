// One pod command at a time per pod. The sandbox's name guards only its creation; a second
// `up` that found a half-made pod would take it for a broken one and tear it down. So each
// changing command holds `<pod>-lock`: a never-started container whose name Docker reserves
// atomically (409 Conflict for the second). It records its holder, so a lock left by a
// command that crashed on this host is taken over at once.
import { retryUntil, type Clock } from "../clock.js";
import type { ContainerClient } from "../engine/engine.js";
import { EngineError, InterruptedError, PodBusyError } from "../errors.js";
import { localProcesses, type HostProcesses } from "../probes/process.js";
import { Label, lockName, ownerProof } from "../state/labels.js";
import { LOCK_KEY } from "../state/observe.js";
import { lockConfig } from "./render.js";

/** How long a command waits for another one on the same pod. */
export const LOCK_TIMEOUT_MS = 120_000;
const RETRY_MS = 200;

export interface LockOptions {
  engine: ContainerClient;
  pod: string;
  clock: Clock;
  timeoutMs: number;
  signal?: AbortSignal;
  onWait?: (holder: string) => void;
  processes?: HostProcesses;
}

/** `host:pid:start`: who holds a lock, precisely enough to tell when it died. */
export function lockHolder(processes: HostProcesses = localProcesses): string {
  const pid = processes.self();
  return `${processes.hostname()}:${pid}:${processes.startTime(pid) ?? ""}`;
}

function holderIsDeadHere(holder: string, processes: HostProcesses): boolean {
  const [host, pid, start] = holder.split(":");
  if (host !== processes.hostname() || !pid) return false;
  if (!processes.alive(Number(pid))) return true;
  return Boolean(start) && processes.startTime(Number(pid)) !== start; // alive, but another process
}

/** One try: the lock's id when taken, else who holds it. */
async function tryLock(o: LockOptions, me: string, processes: HostProcesses): Promise<{ id: string } | { holder: string }> {
  try {
    return { id: await o.engine.createContainer(lockConfig(o.pod, me)) };
  } catch (err) {
    if (!(err instanceof EngineError) || err.statusCode !== 409) throw err;
  }
  const lock = await o.engine.inspectContainer(lockName(o.pod));
  if (!lock) return { holder: "" }; // released between our two calls: try again
  const holder = lock.labels[Label.lockHolder] ?? "unknown";
  const ours = lock.labels[Label.owner] === ownerProof(LOCK_KEY, o.pod, "lock", lockName(o.pod)) && lock.name === lockName(o.pod);
  if (!ours) {
    throw new PodBusyError(
      `a container named ${lockName(o.pod)} that pod did not make is in the way of pod ${o.pod}'s lock`,
      `pod never removes containers it did not make: rename or remove it yourself (docker rm ${lockName(o.pod)})`,
    );
  }
  if (holderIsDeadHere(holder, processes)) {
    await o.engine.removeContainer(lock.id);
    return { holder: "" };
  }
  return { holder };
}

export async function withLock<T>(o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const processes = o.processes ?? localProcesses;
  const me = lockHolder(processes);
  let told = false;
  const taken = await retryUntil({
    fn: async () => {
      const attempt = await tryLock(o, me, processes);
      if ("holder" in attempt && attempt.holder !== "" && !told) {
        told = true;
        o.onWait?.(attempt.holder);
      }
      return attempt;
    },
    done: (a): a is { id: string } => "id" in a,
    onTimeout: (last) =>
      new PodBusyError(
        `pod ${o.pod} is being changed by another pod command (${"holder" in last ? last.holder : "unknown"})`,
        `wait for it to finish; if that command is gone, remove its lock with: docker rm ${lockName(o.pod)}`,
      ),
    onAbort: () => new InterruptedError(`interrupted while waiting for pod ${o.pod}'s lock: nothing was changed`),
    timeoutMs: o.timeoutMs,
    intervalMs: RETRY_MS,
    clock: o.clock,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const lockId = (taken as { id: string }).id;
  try {
    return await fn();
  } finally {
    await o.engine.removeContainer(lockId);
  }
}
