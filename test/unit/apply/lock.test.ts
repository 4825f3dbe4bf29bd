import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { lockConfig } from "../../../src/apply/render.js";
import { InterruptedError, PodBusyError } from "../../../src/errors.js";
import { lockHolder, withLock } from "../../../src/apply/lock.js";
import { FakeEngine, instantClock } from "../../support/fake-engine.js";

const DEAD_PID = 2 ** 22 + 1; // above Linux's pid_max: never a live process

describe("withLock", () => {
  it("holds <pod>-lock while the work runs and removes it after, even when the work fails", async () => {
    const engine = new FakeEngine();
    await expect(
      withLock({ engine, pod: "web", clock: instantClock(), timeoutMs: 1000 }, async () => {
        expect(engine.names()).toEqual(["web-lock"]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(engine.names()).toEqual([]);
  });

  it("takes over a lock whose holder died on this host", async () => {
    const engine = new FakeEngine();
    await engine.createContainer(lockConfig("web", `${hostname()}:${DEAD_PID}`));
    const ran = await withLock({ engine, pod: "web", clock: instantClock(), timeoutMs: 1000 }, async () => "ran");
    expect(ran).toBe("ran");
    expect(engine.names()).toEqual([]);
  });

  it("waits for a live holder, then gives up naming it and the way out", async () => {
    const engine = new FakeEngine();
    await engine.createContainer(lockConfig("web", `other-host:${process.pid}`));
    const waits: string[] = [];
    const attempt = withLock({ engine, pod: "web", clock: instantClock(), timeoutMs: 1000, onWait: (h) => waits.push(h) }, async () => "ran");
    await expect(attempt).rejects.toThrow(PodBusyError);
    await expect(attempt).rejects.toThrow("pod web is being changed by another pod command (other-host:");
    expect(waits).toEqual([`other-host:${process.pid}`]); // said once
    expect(engine.names()).toEqual(["web-lock"]); // someone else's lock stays
  });

  it("stops waiting on Ctrl-C, having changed nothing", async () => {
    const engine = new FakeEngine();
    await engine.createContainer(lockConfig("web", `other-host:${process.pid}`));
    const abort = new AbortController();
    abort.abort();
    await expect(withLock({ engine, pod: "web", clock: instantClock(), timeoutMs: 60_000, signal: abort.signal }, async () => "ran")).rejects.toThrow(
      InterruptedError,
    );
  });
});

describe("lock holders", () => {
  it("a live pid that started at another time is a reused pid: its lock is taken over", async () => {
    const engine = new FakeEngine();
    await engine.createContainer(lockConfig("web", `${hostname()}:${process.pid}:1`)); // this pid, but not started at tick 1
    expect(await withLock({ engine, pod: "web", clock: instantClock(), timeoutMs: 1000 }, async () => "ran")).toBe("ran");
  });

  it("names this process with its start time", () => {
    expect(lockHolder()).toMatch(new RegExp(`^${hostname()}:${process.pid}:\\d+$`));
  });
});
