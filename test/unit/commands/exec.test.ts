// pod exec, through the exported parser against the fake engine: what it asks of
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

describe("exec", () => {
  it("exec runs in replica 1 by default and exits with the command's code", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    expect((await pod("exec web -- true")).code).toBe(0);
    expect((await pod("exec web --replica 2 -- x exit 3")).code).toBe(3);
    const none = await pod("exec web --replica 5 -- true");
    expect(none.code).toBe(2);
    expect(none.err).toContain("pod web has no running replica 5; its running replicas: 1, 2");
  });
});
