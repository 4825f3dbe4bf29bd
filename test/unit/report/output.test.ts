// What people read after a command: the summary's columns, a pod scaled to 0, a lost
// replica's row, and history rows that a failure does not widen.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;
beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string) {
  const { deps, captured } = fakeDeps(engine);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n") };
}

describe("the summary after a change", () => {
  it("aligns its facts in one column", async () => {
    const r = await pod("up --replicas 2 -p 80:8080 web");
    const facts = r.out.split("\n").slice(1);
    expect(facts).toEqual(["  ports       0.0.0.0:80->8080/tcp", "  image       web", "  generation  1"]);
  });

  it("says a pod scaled to 0 has no replicas by request, not 0/0 running", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const r = await pod("scale web 0");
    expect(r.code, r.err).toBe(0);
    expect(r.out.split("\n")[0]).toMatch(/^pod web: no replicas, as asked \(scaled to 0; the sandbox keeps the ports\) in \d+\.\ds$/);
    expect(r.out).not.toContain("0/0");
    expect((await pod("ps")).out).toMatch(/web +web +0\/0 +0\.0\.0\.0:80->8080\/tcp +scaled to 0 /);
  });
});

describe("ps NAME", () => {
  it("gives a lost replica a row of its own", async () => {
    await pod("up --replicas 3 -p 80:8080 web");
    await engine.removeContainer(engine.find("web-2")!.id);
    const rows = (await pod("ps web")).out.split("\n").filter((l) => /^\d/.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ["1", "web-1", "running"],
      ["2", "-", "lost (no container)"],
      ["3", "web-3", "running"],
    ]);
  });
});

describe("history", () => {
  it("keeps a failure's text on a line of its own, and says a rollback's target is a generation", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    await pod("up --replicas 1 -p 80:8080 -e A=1 web");
    engine.crashing.add("web-1");
    expect((await pod("up --replicas 1 -p 80:8080 web:v2")).code).toBe(1);
    engine.crashing.clear();
    expect((await pod("rollback web --to 1")).code).toBe(0);
    const lines = (await pod("history web")).out.split("\n");
    const header = lines[0]!;
    const rows = lines.filter((l) => /^\d/.test(l));
    expect(rows).toHaveLength(4);
    // No row is wider than the widest row would be without the failure's text.
    for (const row of rows) expect(row.length).toBeLessThan(header.length + 40);
    const failed = lines.findIndex((l) => /^3 /.test(l));
    expect(lines[failed]).toMatch(/ failed +up$/);
    expect(lines[failed + 1]).toMatch(/^ {6}why: .*exited/);
    expect(rows[0]).toMatch(/current +rollback to generation 1$/);
  });
});

describe("ps --json and inspect say the same", () => {
  it("names the containers pod did not make `ignored` in both, and counts listeners with or without a name", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const copy = await engine.createContainer({ ...engine.find("web-1")!.config, name: "mine" });
    await engine.startContainer(copy);
    const all = JSON.parse((await pod("ps --json")).out)[0];
    const one = JSON.parse((await pod("ps web --json")).out)[0];
    const inspect = JSON.parse((await pod("inspect web")).out);
    for (const doc of [all, one, inspect]) {
      expect(doc).not.toHaveProperty("foreign");
      expect(doc.ignored.map((c: { name: string }) => c.name)).toEqual(["mine"]);
    }
    expect(all.listeners).toEqual({ "8080/tcp": 3 }); // the copy joined the pod's namespace, and listens there too
    expect(one.listeners).toEqual(all.listeners);
    expect(inspect.network.listeners).toEqual(all.listeners);
    expect(one.replicaContainers.map((r: { name: string }) => r.name)).toEqual(["web-1", "web-2"]);
  });
});
