// pod restart, through the exported parser against the fake engine: what it asks of
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

describe("restart", () => {
  it("replaces every replica start-first and keeps their names; the old ones are kept stopped for their logs", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = ["web-1", "web-2"].map((n) => engine.find(n)!.id);
    const r = await pod("restart web");
    expect(r.code, r.err).toBe(0);
    expect(engine.podNames().filter((n) => !n.includes("-prev-"))).toEqual(["web-1", "web-2", "web-sandbox"]);
    expect(["web-1", "web-2"].map((n) => engine.find(n)!.id).filter((id) => before.includes(id))).toEqual([]);
    expect(engine.podNames().filter((n) => n.includes("-prev-"))).toHaveLength(2);
  });

  it("rolls back when a fresh replica fails: the old one returns under its own name", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const before = ["web-1", "web-2"].map((n) => engine.find(n)!.id);
    engine.crashing.add("web-1");
    const r = await pod("restart web");
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed and was rolled back");
    expect(["web-1", "web-2"].map((n) => engine.find(n)!.id)).toEqual(before);
  });
});
