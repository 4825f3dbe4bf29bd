// Time, injected: the planner never reads it, and tests swap it for a fake.
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The one wait loop: calls `fn` until `done` says yes, `onTimeout` builds the error after
 * `timeoutMs`, and an aborted signal stops it between tries (testcontainers' retryUntil).
 */
export async function retryUntil<T>(o: {
  fn: () => Promise<T>;
  done: (value: T) => boolean;
  onTimeout: (last: T) => Promise<Error> | Error;
  onAbort?: () => Error;
  timeoutMs: number;
  intervalMs: number;
  clock: Clock;
  signal?: AbortSignal;
}): Promise<T> {
  const start = o.clock.now();
  for (;;) {
    if (o.signal?.aborted && o.onAbort) throw o.onAbort();
    const value = await o.fn();
    if (o.done(value)) return value;
    if (o.clock.now() - start >= o.timeoutMs) throw await o.onTimeout(value);
    await o.clock.sleep(o.intervalMs);
  }
}
