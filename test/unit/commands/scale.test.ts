// pod scale, through the exported parser against the fake engine: what it asks of
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

describe("scale", () => {
  it("converges up and down, highest numbers leaving first", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    expect((await pod("scale web 3")).code).toBe(0);
    expect(engine.podNames()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    engine.calls.length = 0;
    const r = await pod("scale web 1");
    expect(r.code).toBe(0);
    expect(engine.calls.filter((c) => c.startsWith("stop"))).toEqual(["stop web-3", "stop web-2"]);
    expect(engine.podNames()).toEqual(["web-1", "web-sandbox"]);
  });

  it("refuses a pod that does not exist, creating nothing", async () => {
    const r = await pod("scale nope 3");
    expect(r.code).toBe(1);
    expect(r.err).toBe("pod: no pod named nope on the engine; `pod ps` lists the pods; `pod up` creates one");
    expect(engine.names()).toEqual([]);
  });

  it("--json prints NDJSON events, then the result, and nothing else on stdout", async () => {
    await pod("up --replicas 1 -p 80:8080 web");
    const r = await pod("scale web 3 --json");
    const lines = r.out.split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ event: "result", pod: { name: "web", replicas: { ready: 3, asked: 3 } } });
    expect(lines.find((l) => l.event === "action" && l.state === "done")).toMatchObject({ action: "start-replicas", replicas: [2, 3], containers: ["web-2", "web-3"] });
  });
});
