// When the agent looks at each pod again. Pure bookkeeping over a clock reading, so its
// rules are a table test: bursts of events debounce into one sync; a failing pod backs off
// exponentially (capped); a successful sync clears the backoff.

export interface ScheduleOptions {
  /** Events within this window after the first are one sync. */
  debounceMs: number;
  /** First retry delay after a failure; doubled each time, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

interface PodTimer {
  /** When the pod is due a sync (ms). */
  due: number;
  failures: number;
  /** Not before this (ms): the backoff after a failure. */
  notBefore: number;
  cause: string;
}

export class Schedule {
  private readonly pods = new Map<string, PodTimer>();

  constructor(private readonly o: ScheduleOptions) {}

  /** Something happened to `pod` at `now`: sync it soon, once, however many events follow. */
  touch(pod: string, now: number, cause: string): void {
    const t = this.pods.get(pod);
    if (t && t.due !== Infinity) return; // already due: the burst joins it
    const failures = t?.failures ?? 0;
    const notBefore = t?.notBefore ?? 0;
    this.pods.set(pod, { due: Math.max(now + this.o.debounceMs, notBefore), failures, notBefore, cause });
  }

  /**
   * The pods due at `now` (at most `limit`, none of `busy`), with what made them due; they are
   * no longer due until touched. A busy pod stays due: it is taken when it is free again.
   */
  takeDue(now: number, busy: ReadonlySet<string> = new Set(), limit = Infinity): { pod: string; cause: string }[] {
    const due: { pod: string; cause: string }[] = [];
    for (const [pod, t] of [...this.pods].sort(([a], [b]) => a.localeCompare(b))) {
      if (due.length >= limit) break;
      if (t.due <= now && !busy.has(pod)) {
        due.push({ pod, cause: t.cause });
        t.due = Infinity;
      }
    }
    return due;
  }

  /** The next time something not `busy` is due, or null. */
  nextDue(busy: ReadonlySet<string> = new Set()): number | null {
    const times = [...this.pods].filter(([pod]) => !busy.has(pod)).map(([, t]) => t.due).filter((d) => d !== Infinity);
    return times.length > 0 ? Math.min(...times) : null;
  }

  succeeded(pod: string): void {
    const t = this.pods.get(pod);
    if (t) Object.assign(t, { failures: 0, notBefore: 0 });
  }

  /** A sync failed: try again after the backoff. Returns the delay. */
  failed(pod: string, now: number, cause: string): number {
    const t = this.pods.get(pod) ?? { due: Infinity, failures: 0, notBefore: 0, cause };
    t.failures++;
    const delay = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (t.failures - 1));
    t.notBefore = now + delay;
    t.due = t.notBefore;
    t.cause = cause;
    this.pods.set(pod, t);
    return delay;
  }

  /** Another command holds the pod: look again shortly, without counting a failure. */
  busy(pod: string, now: number, retryMs: number): void {
    const t = this.pods.get(pod);
    if (t) t.due = now + retryMs;
  }

  forget(pod: string): void {
    this.pods.delete(pod);
  }
}
