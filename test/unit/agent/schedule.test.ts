// When the agent looks at a pod again: debounce, backoff, busy.
import { describe, expect, it } from "vitest";
import { Schedule } from "../../../src/agent/schedule.js";

const o = { debounceMs: 250, backoffMs: 1000, maxBackoffMs: 8000 };

describe("Schedule", () => {
  it("folds a burst of events into one sync, after the debounce", () => {
    const s = new Schedule(o);
    s.touch("web", 0, "web-1 die");
    s.touch("web", 10, "web-2 die");
    s.touch("web", 20, "web-sandbox die");
    expect(s.takeDue(200)).toEqual([]);
    expect(s.takeDue(250)).toEqual([{ pod: "web", cause: "web-1 die" }]);
    expect(s.takeDue(1000)).toEqual([]);
  });

  it("backs off exponentially after failures, capped, and resets on success", () => {
    const s = new Schedule(o);
    expect([1, 2, 3, 4, 5].map(() => s.failed("web", 0, "retry"))).toEqual([1000, 2000, 4000, 8000, 8000]);
    s.touch("web", 0, "an event during the backoff");
    expect(s.takeDue(7999)).toEqual([]);
    expect(s.takeDue(8000)).toHaveLength(1);
    s.succeeded("web");
    expect(s.failed("web", 0, "retry")).toBe(1000);
  });

  it("retries soon when a command holds the pod, without counting a failure", () => {
    const s = new Schedule(o);
    s.touch("web", 0, "event");
    s.takeDue(250);
    s.busy("web", 300, 1000);
    expect(s.takeDue(1299)).toEqual([]);
    expect(s.takeDue(1300)).toHaveLength(1);
    expect(s.failed("web", 0, "retry")).toBe(1000);
  });

  it("hands out pods in name order, so runs repeat", () => {
    const s = new Schedule(o);
    for (const pod of ["b", "a", "c"]) s.touch(pod, 0, "x");
    expect(s.takeDue(1000).map((d) => d.pod)).toEqual(["a", "b", "c"]);
  });

  it("keeps a pod being synced due, and hands out no more than the free slots", () => {
    const s = new Schedule(o);
    for (const pod of ["a", "b", "c"]) s.touch(pod, 0, "x");
    const busy = new Set(["a"]);
    expect(s.takeDue(1000, busy, 1).map((d) => d.pod)).toEqual(["b"]);
    expect(s.nextDue(busy)).toBe(250); // c is still due; a waits until its sync ends
    expect(s.takeDue(1000, busy).map((d) => d.pod)).toEqual(["c"]);
    expect(s.nextDue(busy)).toBeNull();
    expect(s.takeDue(1000).map((d) => d.pod)).toEqual(["a"]);
  });
});
