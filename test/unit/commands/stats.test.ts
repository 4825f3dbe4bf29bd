// pod stats, through the exported parser against the fake engine: what it asks of
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

describe("stats", () => {
  it("stats shows each replica and the pod", async () => {
    await pod("up --replicas 2 -p 80:8080 web");
    const r = await pod("stats web --no-stream");
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^REPLICA\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O$/);
    expect(lines[1]).toMatch(/^web-1\s+20\.00%\s+10\.0MiB \/ 1\.00GiB/);
    expect(lines[3]).toMatch(/^pod\s+40\.00%\s+20\.0MiB \/ 1\.00GiB/); // no limit set: the host's, once
    const json = JSON.parse((await pod("stats web --json")).out);
    expect(json.pod).toMatchObject({ name: "pod", netRxBytes: 1000, netTxBytes: 2000 });
  });
});
