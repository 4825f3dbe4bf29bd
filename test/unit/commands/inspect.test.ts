// pod inspect, through the exported parser against the fake engine: what it asks of
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

describe("inspect", () => {
  it("inspect is JSON of the record, spec, network and replicas, with env values hidden", async () => {
    await pod("up --replicas 2 -p 80:8080 -e TOKEN=s3cret web");
    const r = await pod("inspect web");
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ name: "web", status: "running", record: { generation: 1 }, network: { balance: "reuseport" } });
    expect(doc.spec.replica.env).toEqual(["TOKEN=<hidden>"]);
    expect(doc.replicaContainers).toHaveLength(2);
    expect(doc.generations).toHaveLength(1);
    expect(r.out).not.toContain("s3cret");
  });
});
