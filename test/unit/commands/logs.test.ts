// pod logs, through the exported parser against the fake engine: what it asks of
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

describe("logs", () => {
  it("logs merge the replicas' lines in time order, each prefixed by its replica", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    engine.logLines["web-1"] = [{ stream: "stdout", time: 3, stamp: "t3", text: "third" }, { stream: "stdout", time: 1, stamp: "t1", text: "first" }];
    engine.logLines["web-2"] = [{ stream: "stderr", time: 2, stamp: "t2", text: "second" }];
    const r = await pod("logs web");
    expect(r.out.split("\n")).toEqual(["web-1 | first", "web-2 | second", "web-1 | third"]);
    expect((await pod("logs web 2 -t")).out).toBe("web-2 | t2 second");
  });
});
