// When the agent asks a registry about an auto-updating pod: a table over a clock reading.
import { describe, expect, it } from "vitest";
import { UpdatePacing } from "../../../src/agent/updates.js";

describe("auto-update pacing", () => {
  it("a pod that opts in is first looked at after one interval, then every interval", () => {
    const p = new UpdatePacing();
    p.follow([{ name: "web", intervalS: 60 }], 0);
    expect(p.due(59_999)).toEqual([]);
    expect(p.due(60_000)).toEqual(["web"]);
    p.checked("web", 60_000);
    expect(p.nextDue()).toBe(120_000);
  });

  it("registry errors back off, doubling, capped at an hour; a good look clears it", () => {
    const p = new UpdatePacing();
    p.follow([{ name: "web", intervalS: 60 }], 0);
    expect([p.failed("web", 0), p.failed("web", 0), p.failed("web", 0)]).toEqual([120_000, 240_000, 480_000]);
    for (let i = 0; i < 10; i++) p.failed("web", 0);
    expect(p.failed("web", 0)).toBe(3_600_000);
    p.checked("web", 0);
    expect(p.nextDue()).toBe(60_000);
  });

  it("a command holding the pod: looked at again soon", () => {
    const p = new UpdatePacing();
    p.follow([{ name: "web", intervalS: 600 }], 0);
    p.busy("web", 100, 1000);
    expect(p.due(1100)).toEqual(["web"]);
  });

  it("a pod that opts out (or goes) is forgotten; a shorter interval applies at once", () => {
    const p = new UpdatePacing();
    p.follow([{ name: "a", intervalS: 600 }, { name: "b", intervalS: 600 }], 0);
    p.follow([{ name: "a", intervalS: 30 }], 1000);
    expect(p.due(31_000)).toEqual(["a"]);
    expect(p.nextDue()).toBe(31_000);
  });
});
