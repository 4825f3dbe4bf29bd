// Ready means listening and healthy, through the change flow and the agent, against the
// in-memory engine: an image's HEALTHCHECK and pod's own probe gate readiness; replicas that
// never turn healthy roll a change back, saying what the check printed; the agent replaces an
// unhealthy replica start-first, and leaves a pod whose replicas are all unhealthy alone, saying so.
import { beforeEach, describe, expect, it } from "vitest";
import { Agent } from "../../../src/agent/loop.js";
import { run } from "../../../src/cli/parser.js";
import { Probes } from "../../../src/probes/probes.js";
import { fakeDeps, FakeEngine, instantClock } from "../../support/fake-engine.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
  engine.images["web:health"] = "sha256:webhealth";
  engine.imageHealthchecks.add("web:health");
});

async function pod(line: string) {
  const { deps, captured } = fakeDeps(engine);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

function agent(log: string[]): Agent {
  return new Agent(
    { engine, probes: new Probes(engine, engine.hostFiles), auth: async () => null, clock: instantClock(), signal: new AbortController().signal, log: (l) => log.push(l) },
    { resyncMs: 1000, debounceMs: 0, backoffMs: 1000, maxBackoffMs: 8000, readyTimeoutMs: 1000 },
  );
}

describe("ready means healthy", () => {
  it("an image's HEALTHCHECK: up waits for healthy, and replicas that stay starting fail it, saying so", async () => {
    engine.health["web-1"] = "starting";
    const r = await pod("up --replicas 1 -p 80:8080 --ready-timeout 2 web:health");
    expect(r.code).toBe(1);
    expect(r.err).toContain("did not turn healthy within 2s");
    expect(engine.podNames()).toEqual([]);
  });

  it("a change whose new replicas turn unhealthy rolls back, naming the replica and what its check printed", async () => {
    expect((await pod("up --replicas 2 -p 80:8080 web")).code).toBe(0);
    engine.health["web-1"] = "unhealthy";
    const r = await pod("up --replicas 2 -p 80:8080 web:health");
    expect(r.code).toBe(1);
    expect(r.err).toContain("failed and was rolled back");
    expect(r.err).toContain("web-1 turned unhealthy");
    expect(r.err).toContain("the check printed: HTTP 503 from /health");
    expect(engine.find("web-1")!.config.Image).toBe("web");
  });

  it("--health-http runs pod's own probe from the sandbox's volume, and the sandbox carries it", async () => {
    expect((await pod("up --replicas 1 -p 80:8080 --health-http /health --health-interval 1s web")).code).toBe(0);
    const replica = engine.find("web-1")!.config;
    expect(replica.Healthcheck?.Test).toEqual(["CMD", "/.pod/pod-sandbox", "health-http", "8080", "/health", expect.any(String)]);
    expect(replica.HostConfig.VolumesFrom).toEqual([`${engine.find("web-sandbox")!.id}:ro`]);
    expect(engine.find("web-sandbox")!.config.HostConfig.Binds).toEqual(["/.pod"]);
  });

  it("ps shows an unhealthy replica's health and last check, and the pod as degraded", async () => {
    expect((await pod("up --replicas 2 -p 80:8080 web:health")).code).toBe(0);
    engine.health["web-2"] = "unhealthy";
    const out = (await pod("ps web")).out;
    expect(out).toMatch(/web\s+web:health\s+1\/2\s+\S+\s+degraded: 1 unhealthy/);
    expect(out).toContain("web-2 unhealthy (3 failed checks in a row): HTTP 503 from /health");
  });
});

describe("the agent and unhealthy replicas", () => {
  it("replaces an unhealthy replica start-first: its successor healthy before it stops", async () => {
    expect((await pod("up --replicas 3 -p 80:8080 web:health")).code).toBe(0);
    const sick = engine.find("web-2")!.id;
    // That container only: its successor, under the same name, is healthy.
    engine.health[sick] = "unhealthy";
    const log: string[] = [];
    const a = agent(log);
    const before = engine.calls.length;
    await a.sync("web", "web-2 health_status");
    expect(log.join("\n")).toMatch(/web: 1 unhealthy → rename replica web-2 to web-2-old-\w+ \(unhealthy\); start replica web-2 \(unhealthy\); stop replica web-2-old-\w+ \(replaced\)/);
    const calls = engine.calls.slice(before);
    expect(calls.findIndex((c) => c.startsWith("start web-2"))).toBeLessThan(calls.findIndex((c) => c.startsWith("stop web-2-old")));
    expect(engine.find("web-2")!.id).not.toBe(sick);
  });

  it("leaves a pod whose replicas are all unhealthy alone, and says so once per backoff", async () => {
    expect((await pod("up --replicas 2 -p 80:8080 web:health")).code).toBe(0);
    engine.health["web-1"] = "unhealthy";
    engine.health["web-2"] = "unhealthy";
    const ids = engine.names();
    const log: string[] = [];
    const a = agent(log);
    await a.sync("web", "health_status");
    await a.sync("web", "health_status");
    expect(log.filter((l) => l.includes("all 2 replicas are unhealthy: not replacing them"))).toHaveLength(1);
    expect(engine.names()).toEqual(ids);
  });
});
