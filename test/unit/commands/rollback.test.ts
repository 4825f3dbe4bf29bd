// pod set, history and rollback, through the exported parser against the fake engine: what it asks of
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

describe("set, history, rollback", () => {
  it("set changes only what it names; history lists generations; rollback goes back start-first", async () => {
    await pod("up --replicas 2 -p 80:8080 -e A=1 web");
    const set = await pod("set web --image web:v2 -e B=2");
    expect(set.code, set.err).toBe(0);
    expect(engine.find("web-1")!.config.Image).toBe("web:v2");
    expect(engine.find("web-1")!.config.Env).toEqual(["A=1", "B=2", "POD_NAME=web", "POD_REPLICA=1"]);
    expect(engine.find("web-sandbox")!.config.HostConfig.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "", HostPort: "80" }] });
    const history = JSON.parse((await pod("history web --json")).out);
    expect(history.map((g: any) => [g.generation, g.status, g.current, g.changes])).toEqual([
      [2, "ok", true, expect.stringContaining("image web:v2")],
      [1, "ok", false, "created"],
    ]);
    const back = await pod("rollback web");
    expect(back.code, back.err).toBe(0);
    expect(engine.find("web-1")!.config.Image).toBe("web");
    expect(back.err).toMatch(/rename replica web-1 to web-1-old-/);
    const after = JSON.parse((await pod("history web --json")).out);
    expect(after[0]).toMatchObject({ generation: 3, current: true, cause: "rollback to 1" });
  });

  it("never rolls back to a failed generation", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    engine.crashing.add("web-1");
    await pod("set web --image web:v2");
    const r = await pod("rollback web --to 2");
    expect(r.code).toBe(2);
    expect(r.err).toContain("generation 2 of pod web failed, so it is no rollback target");
  });
});
