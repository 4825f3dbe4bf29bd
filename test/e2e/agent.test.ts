// The agent heals pods with no command from anyone: each fault injected from outside, as
// a crash, a user or a reboot would, then the published port must answer from every
// replica again. The engine-restart cases restart dockerd (on Podman, its service) itself and
// leave it running.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_NAME as AGENT } from "../../src/agent/install.js";
import { PODMAN_SH } from "./engine.js";
import { docker, ENGINE_HOST, hello, idsOf, onPodman, pod, podmanGap, podsToClean, removeSandbox, restartEngine, waitFor, waitServing } from "./harness.js";

const pods = podsToClean();
const execFileAsync = promisify(execFile);
const withAgent = { POD_AGENT: "" };

async function up(name: string, port: number, replicas = 3): Promise<void> {
  pods.add(name);
  const r = await pod(["up", "--name", name, "--replicas", String(replicas), "-p", `127.0.0.1:${port}:8080`, "--no-agent", "http_server"]);
  expect(r.code, r.stderr).toBe(0);
}

async function agentLog(): Promise<string> {
  return (await pod(["agent", "logs"])).stdout;
}

beforeAll(async () => {
  const r = await pod(["agent", "start"], withAgent);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await pod(["agent", "stop"]);
});

describe("the agent heals, with no command", () => {
  it("a lost replica is recreated", async () => {
    await up("e2e-ag1", 18401);
    await docker(["rm", "-f", "e2e-ag1-2"]);
    await waitServing(18401, hello("e2e-ag1", 1, 2, 3));
    expect(await agentLog()).toMatch(/e2e-ag1: 1 lost → start replica e2e-ag1-2 \(replacing lost replicas\)/);
  });

  it("a killed sandbox: the network comes back and the replicas serve in it", async () => {
    await up("e2e-ag2", 18402);
    await docker(["kill", "e2e-ag2-sandbox"]);
    await waitServing(18402, hello("e2e-ag2", 1, 2, 3));
    expect(await agentLog()).toMatch(/e2e-ag2: sandbox exited.* → start sandbox e2e-ag2-sandbox/);
  });

  it("a restarted sandbox: the stranded replicas are brought into its new namespace", async () => {
    await up("e2e-ag3", 18403);
    await docker(["restart", "e2e-ag3-sandbox"]);
    await waitServing(18403, hello("e2e-ag3", 1, 2, 3));
    expect(await agentLog()).toMatch(/e2e-ag3: 3 stranded → restart 3 replicas/);
  });

  it("a removed sandbox: the pod is made again from its record", async () => {
    await up("e2e-ag4", 18404);
    expect((await removeSandbox("e2e-ag4")).code).toBe(0);
    await waitServing(18404, hello("e2e-ag4", 1, 2, 3));
    // Serving comes first; the agent writes the record (the generation done) right after.
    const ps = async () => JSON.parse((await pod(["ps", "e2e-ag4", "--json"])).stdout)[0];
    await waitFor(async () => (await ps()).status === "running", 10_000, "e2e-ag4 running as recorded");
    expect(await ps()).toMatchObject({ status: "running", replicas: { ready: 3, asked: 3 } });
  });

  for (const signal of ["TERM", "KILL"] as const) {
    it(`an engine restart (${onPodman ? "the podman service" : "dockerd"} killed with ${signal}): every pod serves again`, async () => {
      await up(`e2e-ag5${signal.toLowerCase()}`, signal === "TERM" ? 18405 : 18406);
      await up(`e2e-ag6${signal.toLowerCase()}`, signal === "TERM" ? 18407 : 18408, 2);
      await restartEngine(signal);
      await waitServing(signal === "TERM" ? 18405 : 18406, hello(`e2e-ag5${signal.toLowerCase()}`, 1, 2, 3));
      await waitServing(signal === "TERM" ? 18407 : 18408, hello(`e2e-ag6${signal.toLowerCase()}`, 1, 2));
      expect((await pod(["agent", "status"])).stdout).toContain("the agent is running");
      if (onPodman) {
        // Containers outlive Podman's service (conmon holds them), so the pods never stopped:
        // what must come back is the agent's watch. A replica lost now is recreated.
        await docker(["rm", "-f", `e2e-ag6${signal.toLowerCase()}-2`]);
        await waitServing(signal === "TERM" ? 18407 : 18408, hello(`e2e-ag6${signal.toLowerCase()}`, 1, 2));
      }
    }, 180_000);
  }

  it.skipIf(onPodman)("live-restore: the engine restarts under running containers and replaces its socket; the agent reaches the new one and heals within 5 s", async () => {
    const { existsSync, readFileSync, writeFileSync, rmSync } = await import("node:fs");
    const path = "/etc/docker/daemon.json";
    const saved = existsSync(path) ? readFileSync(path, "utf8") : null;
    await up("e2e-ag9", 18411, 2);
    try {
      writeFileSync(path, JSON.stringify({ ...(saved ? JSON.parse(saved) : {}), "live-restore": true }, null, 2) + "\n");
      await restartEngine("TERM"); // takes live-restore on (this restart still stops the containers)
      await waitServing(18411, hello("e2e-ag9", 1, 2));
      const kept = await idsOf("e2e-ag9-1");
      const before = (await agentLog()).split("\n").length;
      // The engine starts the agent again as it restores containers: a new start, no restart counted.
      const started = async () => (await docker(["inspect", "-f", "{{.State.StartedAt}}", AGENT])).stdout.trim();
      const startedBefore = await started();
      await restartEngine("TERM"); // under live-restore: the containers stay up, the socket file is new
      // As a user would, the moment the engine answers: a replica lost, and the time to serve again.
      const removed = Date.now();
      await docker(["rm", "-f", "e2e-ag9-2"]);
      await waitServing(18411, hello("e2e-ag9", 1, 2));
      const healed = Date.now() - removed;
      const after = (await agentLog()).split("\n").slice(before - 1).join("\n");
      expect(healed, after).toBeLessThan(5_000);
      // The same container served across the restart. The agent left its dead socket and was
      // started again (what it said while the engine was down is not kept: the engine collects
      // a container's output, so only the lines from its new start are in its log).
      expect(await idsOf("e2e-ag9-1")).toEqual(kept);
      expect(await started()).not.toBe(startedBefore);
      expect(after).toMatch(/agent: watching the pods[\s\S]*e2e-ag9: 1 lost → start replica e2e-ag9-2/);
      await waitFor(async () => !(await pod(["agent", "status"])).stdout.includes("has not reached the engine"), 10_000, "agent status: reaches the engine");
    } finally {
      if (saved === null) rmSync(path, { force: true });
      else writeFileSync(path, saved);
      await restartEngine("TERM"); // as it was, and running
    }
  }, 300_000);

  it.runIf(onPodman)("a reboot on Podman (every container down, the service started again, nothing restarted by Podman): the agent as `pod agent systemd` runs it brings every pod back", async () => {
    await pod(["agent", "stop"]); // the agent in its container would be down after a reboot too
    await up("e2e-ag10", 18412, 2);
    // What a reboot leaves on Podman: every container down, none restarted (no podman-restart here).
    const down = await execFileAsync(PODMAN_SH, ["podman", "stop", "--all", "--time", "0"]).then(() => 0, (e: { code?: number }) => e.code ?? 1);
    expect(down).toBe(0);
    await restartEngine("TERM");
    expect((await docker(["ps", "--format", "{{.Names}}", "--filter", "label=dev.pod.name=e2e-ag10"])).stdout.trim()).toBe("");
    // The unit's ExecStart and its DOCKER_HOST, run as systemd would run them.
    const unit = (await pod(["agent", "systemd"])).stdout;
    const bin = /^ExecStart=(\S+) agent run$/m.exec(unit)?.[1];
    const address = /^Environment=DOCKER_HOST=(\S+)$/m.exec(unit)?.[1];
    expect(bin, unit).toBeTruthy();
    expect(address, unit).toBe(ENGINE_HOST);
    const agent = spawn(bin!, ["agent", "run"], { env: { ...process.env, POD_AGENT: "", DOCKER_HOST: address! }, stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    agent.stdout.on("data", (d) => (said += d));
    agent.stderr.on("data", (d) => (said += d));
    try {
      await waitServing(18412, hello("e2e-ag10", 1, 2), 60_000);
      expect(said).toMatch(/e2e-ag10: sandbox exited.* → start sandbox e2e-ag10-sandbox/);
    } finally {
      agent.kill("SIGTERM");
      await new Promise((r) => agent.once("close", r));
    }
  }, 180_000);

  it(`a crash loop: says which replica and why, and backs off${onPodman ? " (on Podman, which restarts the replicas itself, says why at a backed-off pace)" : ""}`, async () => {
    await up("e2e-ag7", 18409, 2);
    // With the agent away, a listener without SO_REUSEPORT takes the port, so the replicas
    // cannot bind when they start again.
    await pod(["agent", "stop"]);
    pods.add("e2e-ag7-hog");
    await docker(["stop", "e2e-ag7-1", "e2e-ag7-2"]);
    await docker(["run", "-d", "--name", "e2e-ag7-hog", "--network", "container:e2e-ag7-sandbox", "-e", "REUSEPORT=0", "http_server"]);
    try {
      expect((await pod(["agent", "start"], withAgent)).code).toBe(0);
      let log = "";
      if (onPodman) {
        // Podman restarts a crashed replica by the policy it was created with (podmanGap.crashLoop):
        // the agent's repair starts them, and then it is Podman that paces the loop; the agent
        // says which replica crashes and why, each time at a backed-off pace.
        const said = /e2e-ag7: (repair failed.*e2e-ag7-\d: .*address already in use.*; next try in \d+s|e2e-ag7-\d keeps crashing \(\d+ restarts; the engine restarts it\): .*address already in use.*; next report in \d+s)/;
        await waitFor(async () => said.test((log = await agentLog())), 60_000, "the agent's report of the crash loop");
        await docker(["rm", "-f", "e2e-ag7-hog"]);
        await waitServing(18409, hello("e2e-ag7", 1, 2), 60_000);
        return;
      }
      for (let i = 0; i < 100 && (log.match(/e2e-ag7: repair failed/g) ?? []).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 300));
        log = await agentLog();
      }
      const failures = log.split("\n").filter((l) => l.includes("e2e-ag7: repair failed"));
      expect(failures.length).toBeGreaterThanOrEqual(3);
      expect(failures[0]).toMatch(/e2e-ag7-\d: exit code 1/);
      expect(failures[0]).toContain("address already in use");
      expect(failures.map((l) => /next try in (\d+)s/.exec(l)?.[1])).toEqual(expect.arrayContaining(["1", "2", "4"]));
      // Once the hog goes, the next try heals the pod.
      await docker(["rm", "-f", "e2e-ag7-hog"]);
      await waitServing(18409, hello("e2e-ag7", 1, 2), 60_000);
    } finally {
      await docker(["rm", "-f", "e2e-ag7-hog"]);
    }
  }, 180_000);
});

describe("opting out", () => {
  it("POD_AGENT=0 and --no-agent leave the agent off; a plain up starts it, and says so once", async () => {
    await pod(["agent", "stop"]);
    pods.add("e2e-ag8");
    const args = ["up", "--name", "e2e-ag8", "--replicas", "1", "-p", "127.0.0.1:18410:8080", "http_server"];
    const off = await pod(args, { POD_AGENT: "0" });
    expect(off.code, off.stderr).toBe(0);
    expect((await pod(["agent", "status"])).stdout).toContain("the agent is not running");
    expect((await pod([...args, "--no-agent"], withAgent)).stderr).not.toContain("agent");
    expect((await pod(["agent", "status"])).stdout).toContain("the agent is not running");
    const on = await pod(args, withAgent);
    expect(on.stderr).toContain("the pod agent started (pod-agent)");
    expect((await pod(args, withAgent)).stderr).not.toContain("pod agent");
    expect((await pod(["agent", "status"])).stdout).toContain("the agent is running");
  });
});
