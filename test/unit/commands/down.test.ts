// pod down, through the exported parser against the fake engine: what it asks of
// Docker, what it prints, its exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string, files: Record<string, string> = {}) {
  const { deps, captured } = fakeDeps(engine, files);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

describe("down", () => {
  it("removes replicas before the sandbox, and the record last", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.calls.length = 0;
    expect((await pod("down web")).code).toBe(0);
    const removals = engine.calls.filter((c) => c.startsWith("remove web-") && c !== "remove web-lock");
    expect(removals.slice(-1)).toEqual(["remove web-sandbox"]);
    expect(engine.calls.filter((c) => c.startsWith("remove image"))).toEqual(["remove image pod-record:web.1", "remove image pod-record:web.2"]);
    expect(engine.calls.indexOf("remove web-sandbox")).toBeLessThan(engine.calls.indexOf("remove image pod-record:web.1"));
    expect(engine.names()).toEqual([]);
    expect(engine.recordRefs()).toEqual([]);
  });

  it("says so and exits 0 for a pod that does not exist", async () => {
    const r = await pod("down nope");
    expect(r.code).toBe(0);
    expect(r.err).toBe("no pod named nope: nothing to remove");
  });
});
