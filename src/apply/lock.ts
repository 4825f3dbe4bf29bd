// One pod command at a time per pod. The sandbox's name guards only its creation; a second
// `up` that found a half-made pod would take it for a broken one and tear it down. So each
// changing command holds `<pod>-lock`: a never-started container whose name Docker reserves
// atomically (409 Conflict for the second). It records its holder, so a lock left by a
// command that crashed on this host is taken over at once.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import { lockConfig } from "./render.js";
import type { Engine } from "../engine/engine.js";
import { EngineError, InterruptedError, PodBusyError } from "../errors.js";
import { Label, lockName, ownerProof } from "../state/labels.js";
import { LOCK_KEY } from "../state/observe.js";

/** How long a command waits for another one on the same pod. */
export const LOCK_TIMEOUT_MS = 120_000;

export interface LockOptions {
  engine: Engine;
  pod: string;
  clock: Clock;
  timeoutMs: number;
  signal?: AbortSignal;
  onWait?: (holder: string) => void;
}

/** When a process started (clock ticks since boot), so a reused pid is not taken for its holder. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null; // field 22
  } catch {
    return null;
  }
}

/** `host:pid:start`: who holds a lock, precisely enough to tell when it died. */
export function lockHolder(): string {
  return `${hostname()}:${process.pid}:${startTime(process.pid) ?? ""}`;
}

function holderIsDeadHere(holder: string): boolean {
  const [host, pid, start] = holder.split(":");
  if (host !== hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
  return Boolean(start) && startTime(Number(pid)) !== start; // alive, but another process
}

export async function withLock<T>(o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const me = lockHolder();
  const start = o.clock.now();
  let told = false;
  let lockId: string;
  for (;;) {
    try {
      lockId = await o.engine.createContainer(lockConfig(o.pod, me));
      break;
    } catch (err) {
      if (!(err instanceof EngineError) || err.statusCode !== 409) throw err;
    }
    const lock = await o.engine.inspectContainer(lockName(o.pod));
    if (!lock) continue; // released between our two calls
    const holder = lock.labels[Label.lockHolder] ?? "unknown";
    const ours = lock.labels[Label.owner] === ownerProof(LOCK_KEY, o.pod, "lock", lockName(o.pod)) && lock.name === lockName(o.pod);
    if (!ours) {
      throw new PodBusyError(
        `a container named ${lockName(o.pod)} that pod did not make is in the way of pod ${o.pod}'s lock`,
        `pod never removes containers it did not make: rename or remove it yourself (docker rm ${lockName(o.pod)})`,
      );
    }
    if (holderIsDeadHere(holder)) {
      await o.engine.removeContainer(lock.id);
      continue;
    }
    if (o.clock.now() - start >= o.timeoutMs) {
      throw new PodBusyError(
        `pod ${o.pod} is being changed by another pod command (${holder})`,
        `wait for it to finish; if that command is gone, remove its lock with: docker rm ${lockName(o.pod)}`,
      );
    }
    if (o.signal?.aborted) throw new InterruptedError(`interrupted while waiting for pod ${o.pod}'s lock: nothing was changed`);
    if (!told) o.onWait?.(holder);
    told = true;
    await o.clock.sleep(200);
  }
  try {
    return await fn();
  } finally {
    await o.engine.removeContainer(lockId);
  }
}
