// The agent's decisions against the in-memory engine: it restores the record, never
// changes it, leaves a pod to the command that holds it, and backs off when repairs fail.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Agent, AgentDeafError } from "../../../src/agent/loop.js";
import { EngineUnreachableError } from "../../../src/errors.js";
import { run } from "../../../src/cli/parser.js";
import { Probes } from "../../../src/probes/probes.js";
import { fakeDeps, FakeEngine, instantClock } from "../../support/fake-engine.js";

let engine: FakeEngine;
let log: string[];

function agent(): Agent {
  log = [];
  return new Agent({ engine, probes: new Probes(engine, engine.hostFiles), clock: instantClock(), signal: new AbortController().signal, log: (l) => log.push(l) }, { resyncMs: 1000, debounceMs: 0, backoffMs: 1000, maxBackoffMs: 8000, readyTimeoutMs: 1000 });
}

beforeEach(async () => {
  engine = new FakeEngine();
  const { deps } = fakeDeps(engine);
  expect(await run(["up", "--replicas", "3", "-p", "80:8080", "web"], deps)).toBe(0);
});

describe("agent", () => {
  it("starts a killed sandbox and brings its replicas into the new namespace", async () => {
    engine.kill("web-sandbox");
    await agent().sync("web", "web-sandbox die");
    expect(log[0]).toMatch(/web: sandbox exited, 3 stranded → start sandbox web-sandbox \(sandbox exited\); restart 3 replicas: web-1, web-2, web-3/);
    expect(log[1]).toMatch(/web: serving as recorded \(3\/3\)/);
    expect(engine.find("web-sandbox")!.state).toBe("running");
  });

  it("recreates a lost replica, and never touches the record's spec", async () => {
    const records = engine.names().filter((n) => n.includes("record"));
    await engine.removeContainer(engine.find("web-2")!.id);
    await agent().sync("web", "web-2 destroy");
    expect(engine.podNames()).toEqual(["web-1", "web-2", "web-3", "web-sandbox"]);
    expect(engine.names().filter((n) => n.includes("record"))).toEqual(records);
  });

  it("does nothing to a pod that is as recorded", async () => {
    engine.calls.length = 0;
    await agent().sync("web", "periodic resync");
    expect(log).toEqual([]);
    expect(engine.calls.filter((c) => /^(start|stop|remove web-[^l]|rename)/.test(c))).toEqual([]);
  });

  it("leaves a pod alone while a command holds its lock", async () => {
    engine.kill("web-sandbox");
    await engine.createContainer({ name: "web-lock", Image: "pod-sandbox:latest", Labels: {}, HostConfig: {} });
    const a = agent();
    await expect(a.sync("web", "web-sandbox die")).resolves.toBeUndefined();
    expect(engine.find("web-sandbox")!.state).toBe("exited");
  });

  it("leaves alone a pod whose record a newer pod wrote, and says so once", async () => {
    // Rewrite the newest record as a newer pod would have.
    const rec = engine.labelledImages.get(engine.recordRefs().at(-1)!)!;
    rec.labels["dev.pod.record"] = JSON.stringify({ ...JSON.parse(rec.labels["dev.pod.record"]!), writer: "99.0.0" });
    engine.kill("web-sandbox");
    const a = agent();
    await a.sync("web", "web-sandbox die");
    await a.sync("web", "periodic resync");
    expect(log.filter((l) => l.includes("left alone"))).toHaveLength(1);
    expect(engine.find("web-sandbox")!.state).toBe("exited");
  });

  it("says why a repair failed and backs off", async () => {
    await engine.removeContainer(engine.find("web-2")!.id);
    engine.crashing.add("web-2");
    const a = agent();
    await a.sync("web", "web-2 destroy");
    expect(log.at(-1)).toMatch(/web: repair failed: pod web could not be brought back to its record .*web-2: exit code 1.*address already in use.*; next try in 1s/);
    await a.sync("web", "retry");
    expect(log.at(-1)).toMatch(/next try in 2s$/);
  });

  it("heals one pod while another's repair is still waiting", async () => {
    const { deps, captured } = fakeDeps(engine);
    expect(await run(["up", "--name", "api", "--replicas", "2", "-p", "81:8080", "web"], deps), captured.err.join("\n")).toBe(0);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const start = engine.startContainer.bind(engine);
    engine.startContainer = async (id) => {
      if (engine.find(id)?.config.name === "api-2") await held; // api's repair hangs, as a replica slow to start would
      return start(id);
    };
    await engine.removeContainer(engine.find("api-2")!.id);
    await engine.removeContainer(engine.find("web-2")!.id);
    const stop = new AbortController();
    log = [];
    const running = new Agent({ engine, probes: new Probes(engine, engine.hostFiles), clock: instantClock(), signal: stop.signal, log: (l) => log.push(l) }, { resyncMs: 60_000, debounceMs: 0, backoffMs: 1000, maxBackoffMs: 8000, readyTimeoutMs: 60_000 }).run();
    try {
      await vi.waitFor(() => expect(engine.find("web-2")?.state).toBe("running"), { timeout: 5000, interval: 10 });
      expect(log.some((l) => /api: serving as recorded/.test(l))).toBe(false); // api is still being repaired
      release();
      await vi.waitFor(() => expect(engine.find("api-2")?.state).toBe("running"), { timeout: 5000, interval: 10 });
    } finally {
      release();
      stop.abort();
      await running;
    }
  });

  for (const [code, exits] of [["ECONNREFUSED", true], ["ECONNRESET", false]] as const) {
    it(`in its container, ${exits ? "exits on the first refused connection (the socket file is dead for good)" : "waits out a reset connection"}`, async () => {
      const gone = () => Promise.reject(new EngineUnreachableError("no Docker engine answers at unix:///var/run/docker.sock", undefined, code));
      engine.listContainers = gone;
      engine.events = async function* () {
        yield* [];
        await gone();
      };
      const stop = new AbortController();
      log = [];
      const running = new Agent({ engine, probes: new Probes(engine, engine.hostFiles), clock: instantClock(), signal: stop.signal, log: (l) => log.push(l) }, { exitWhenDeafMs: 60_000, resyncMs: 60_000, debounceMs: 0, backoffMs: 1000, maxBackoffMs: 8000, readyTimeoutMs: 1000 }).run();
      const outcome = await Promise.race([running.then(() => "ran", (e: unknown) => e), new Promise((r) => setTimeout(() => r("still running"), 300))]);
      stop.abort();
      await running.catch(() => undefined);
      if (exits) {
        expect(outcome).toBeInstanceOf(AgentDeafError);
        expect(log.at(-1)).toMatch(/agent: exiting: its socket refuses connections/);
      } else {
        expect(outcome).toBe("still running");
        expect(log.some((l) => l.includes("agent: cannot reach the engine"))).toBe(true);
      }
    });
  }
});
