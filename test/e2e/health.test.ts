// Health, on the real engine with the fixture images: an image's HEALTHCHECK gates
// readiness; pod's own --health-http probe works in an image with no tool in it and judges
// each replica although all share the port; a change to replicas that never turn healthy
// rolls back; the agent replaces an unhealthy replica start-first with no failed request.
import { afterAll, describe, expect, it } from "vitest";
import { answering, docker, hello, idsOf, loadUntil, onPodman, pod, podmanGap, podsToClean } from "./harness.js";

const pods = podsToClean();

afterAll(async () => {
  await pod(["agent", "stop"]);
});

async function health(...containers: string[]): Promise<string[]> {
  return (await docker(["inspect", "-f", "{{.State.Health.Status}}", ...containers])).stdout.trim().split("\n");
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
    last = await fn();
  }
  return last;
}

describe("health gates readiness", () => {
  it("an image's HEALTHCHECK: up returns once every replica is healthy; ps shows it", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    pods.add("e2e-hc1");
    const r = await pod(["up", "--name", "e2e-hc1", "--replicas", "3", "-p", "127.0.0.1:18621:8080", "--no-agent", "http_server:health"]);
    expect(r.code, r.stderr).toBe(0);
    expect(await health("e2e-hc1-1", "e2e-hc1-2", "e2e-hc1-3")).toEqual(["healthy", "healthy", "healthy"]);
    const ps = await pod(["ps", "e2e-hc1"]);
    expect(ps.stdout).toMatch(/^1\s+e2e-hc1-1\s+running\s+healthy\s/m);
  });

  it("replicas that never turn healthy roll the change back, saying which and what the check printed", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    pods.add("e2e-hc2");
    expect((await pod(["up", "--name", "e2e-hc2", "--replicas", "2", "-p", "127.0.0.1:18622:8080", "--no-agent", "http_server:health"])).code).toBe(0);
    const before = await idsOf("e2e-hc2-1", "e2e-hc2-2");
    const r = await pod(["up", "--name", "e2e-hc2", "--replicas", "2", "-p", "127.0.0.1:18622:8080", "--no-agent", "--ready-timeout", "6", "-e", "HEALTHY_AFTER=never", "http_server:health"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("failed and was rolled back");
    expect(r.stderr).toMatch(/e2e-hc2-1 (turned unhealthy|listens but did not turn healthy)/);
    expect(r.stderr).toContain("the check printed:");
    expect(await idsOf("e2e-hc2-1", "e2e-hc2-2")).toEqual(before);
    expect(await answering(18622, 30)).toEqual(hello("e2e-hc2", 1, 2));
  });

  it("--health-http needs nothing in the image and judges each replica on its own, though all share the port", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    pods.add("e2e-hc3");
    const r = await pod(["up", "--name", "e2e-hc3", "--replicas", "3", "-p", "127.0.0.1:18623:8080", "--no-agent", "--health-http", "/health", "--health-interval", "1s", "--health-retries", "2", "http_server"]);
    expect(r.code, r.stderr).toBe(0);
    expect(await health("e2e-hc3-1", "e2e-hc3-2", "e2e-hc3-3")).toEqual(["healthy", "healthy", "healthy"]);
    await docker(["exec", "e2e-hc3-2", "/http_server", "-make-unhealthy"]);
    const seen = await until("e2e-hc3-2 unhealthy", () => health("e2e-hc3-1", "e2e-hc3-2", "e2e-hc3-3"), (h) => h[1] === "unhealthy", 30_000);
    expect(seen).toEqual(["healthy", "unhealthy", "healthy"]);
    const inspect = JSON.parse((await pod(["inspect", "e2e-hc3"])).stdout);
    const sick = inspect.replicaContainers.find((c: { name: string }) => c.name === "e2e-hc3-2");
    expect(sick.health).toMatchObject({ status: "unhealthy" });
    expect(sick.health.lastOutput).toMatch(/503/);
  });
});

describe("the agent replaces an unhealthy replica", () => {
  it("start-first: its successor healthy before it stops, and no request fails under load", async (ctx) => {
    ctx.skip(onPodman, podmanGap.health);
    pods.add("e2e-hc4");
    expect((await pod(["up", "--name", "e2e-hc4", "--replicas", "3", "-p", "127.0.0.1:18624:8080", "--no-agent", "http_server:health"])).code).toBe(0);
    expect((await pod(["agent", "start"], { POD_AGENT: "" })).code).toBe(0);
    const sick = (await idsOf("e2e-hc4-2"))[0]!;
    const replaced = (async () => {
      await docker(["exec", "e2e-hc4-2", "/http_server", "-make-unhealthy"]);
      await until("e2e-hc4-2 replaced", async () => (await idsOf("e2e-hc4-2"))[0], (id) => id !== undefined && id !== sick, 90_000);
      return until("e2e-hc4-2 healthy again", () => health("e2e-hc4-2"), (h) => h[0] === "healthy", 30_000);
    })();
    const load = await loadUntil(18624, replaced, 120);
    await replaced;
    expect(load.errors + load.non2xx, load.raw).toBe(0);
    expect(load.total).toBeGreaterThan(100);
    expect((await pod(["agent", "logs"])).stdout).toMatch(/e2e-hc4: 1 unhealthy → rename replica e2e-hc4-2 to e2e-hc4-2-old-\w+ \(unhealthy\)/);
    expect(await answering(18624, 60)).toEqual(hello("e2e-hc4", 1, 2, 3));
  });
});
