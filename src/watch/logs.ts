// A pod's logs: every replica's lines merged in time order; with `follow`, replicas that
// come and go during a scale or a replace are followed as they start.
import type { Engine } from "../engine/engine.js";
import type { LogLine } from "../engine/types.js";
import { readPod } from "../state/snapshot.js";
import { Label } from "../state/labels.js";
import type { ObservedPod, ObservedReplica } from "../state/observe.js";

export interface PodLogLine extends LogLine {
  /** The container that wrote it. */
  container: string;
  number: number;
}

export interface LogRequest {
  pod: string;
  /** Replica numbers; empty: all. */
  numbers: number[];
  follow: boolean;
  tail: number | null;
  since: number | null;
  /** The replaced or failed container kept for each number, instead of the current ones. */
  previous: boolean;
}

function chosen(pod: ObservedPod, r: LogRequest): ObservedReplica[] {
  const from = r.previous ? pod.previous : pod.replicas;
  return from.filter((c) => r.numbers.length === 0 || r.numbers.includes(c.number));
}

/** All lines up to now, each container's, merged by the engine's timestamps (stable for ties). */
export async function readLogs(engine: Engine, pod: ObservedPod, r: LogRequest, signal: AbortSignal): Promise<PodLogLine[]> {
  const per = await Promise.all(
    chosen(pod, r).map(async (c) => {
      const lines: PodLogLine[] = [];
      for await (const line of engine.logs(c.id, { follow: false, tail: r.tail, since: r.since }, signal)) lines.push({ ...line, container: c.name, number: c.number });
      return lines;
    }),
  );
  return per.flat().sort((a, b) => a.time - b.time || a.number - b.number);
}

/** How far back the followed events start: a margin for the time the pod was read in, and for a remote engine's clock. */
const EVENT_REPLAY_MS = 5_000;

/**
 * Follows the pod until `signal` aborts: every replica now, and each one that starts later
 * (a scale, a replace, a repair), from its start. Lines are written as they arrive.
 */
export async function followLogs(engine: Engine, pod: ObservedPod, r: LogRequest, signal: AbortSignal, write: (line: PodLogLine) => void): Promise<void> {
  // Events are asked from a little before the replicas were read: a replica that starts while
  // the stream is still being opened is replayed, not missed (seen once on Podman, late in a
  // long run: a followed scale missed both new replicas). A start already followed is skipped.
  const since = Date.now() - EVENT_REPLAY_MS;
  const following = new Set<string>();
  const follow = (c: ObservedReplica, since: number | null, tail: number | null): Promise<void> => {
    following.add(c.id);
    return (async () => {
      try {
        for await (const line of engine.logs(c.id, { follow: true, tail, since }, signal)) write({ ...line, container: c.name, number: c.number });
      } catch {
        // removed under us: its lines so far were written
      } finally {
        following.delete(c.id);
      }
    })();
  };
  const tasks = chosen(pod, r).map((c) => follow(c, r.since, r.tail));
  if (!r.previous) {
    // New containers of the pod: picked up from the engine's events as they start.
    tasks.push(
      (async () => {
        try {
          for await (const e of engine.events([`${Label.pod}=${r.pod}`], signal, since)) {
            if (e.action !== "start" || following.has(e.id)) continue;
            const now = chosen(await readPod(engine, r.pod), { ...r, previous: false }).find((c) => c.id === e.id);
            if (now) tasks.push(follow(now, Math.floor(e.time / 1000) - 1, null));
          }
        } catch {
          // the engine went away: what was followed ends with it
        }
      })(),
    );
  }
  await Promise.all(tasks);
}
