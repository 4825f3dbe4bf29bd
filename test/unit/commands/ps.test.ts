// pod ps, through the exported parser against the fake engine: what it asks of
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

describe("ps", () => {
  it("lists pods as a table and as stable JSON", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const table = await pod("ps");
    expect(table.out.split("\n")[0]).toMatch(/^NAME\s+IMAGE\s+READY\s+PORTS\s+STATUS\s+AGE$/);
    expect(table.out.split("\n")[1]).toMatch(/^web\s+web\s+2\/2\s+0\.0\.0\.0:80->8080\/tcp\s+running\s+\d+\w$/);
    const json = JSON.parse((await pod("ps --json")).out);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ name: "web", image: "web", status: "running", replicas: { ready: 2, asked: 2 }, generation: 1 });
    expect(json[0].ports).toEqual([{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" }]);
    expect((await pod("ps -q")).out).toBe("web");
  });

  it("shows each replica's state, restarts, last exit and OOM", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.kill("web-2");
    const lines = (await pod("ps web")).out.split("\n");
    expect(lines[3]).toMatch(/^REPLICA\s+CONTAINER\s+STATE\s+HEALTH\s+RESTARTS\s+LAST EXIT\s+OOM\s+STARTED\s+IMAGE\s+GEN$/);
    expect(lines[4]).toMatch(/^1\s+web-1\s+running\s+-\s+0\s+-\s+no\s+\S+\s+web\s+1$/);
    expect(lines[5]).toMatch(/^2\s+web-2\s+exited\s+-\s+0\s+137\s+no\s+\S+\s+web\s+1$/);
  });

  it("refuses a pod that does not exist", async () => {
    const r = await pod("ps nope");
    expect(r.code).toBe(1);
    expect(r.err).toContain("no pod named nope");
  });
});
