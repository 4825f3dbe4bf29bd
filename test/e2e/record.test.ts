// A pod's record and its truth, against the real engine: each case a fault injected by
// hand, as a user would, and what pod must say and do afterwards.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { answering, commit, containersOf, docker, hello, namesOf, onPodman, pod, podsToClean, removeSandbox, requests } from "./harness.js";

const pods = podsToClean();

function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile("bash", ["-c", script], { env: { ...process.env, CI: "1", POD_AGENT: "0" }, timeout: 150_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

async function psJson(name: string): Promise<any> {
  const r = await pod(["ps", name, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout)[0];
}

async function up(name: string, port: number, replicas = 3, ...more: string[]): Promise<void> {
  pods.add(name);
  const r = await pod(["up", "--name", name, "--replicas", String(replicas), "-p", `127.0.0.1:${port}:8080`, ...more, "http_server"]);
  expect(r.code, r.stderr).toBe(0);
}

async function pid(container: string): Promise<string> {
  return (await docker(["inspect", "-f", "{{.State.Pid}}", container])).stdout.trim();
}

describe("a pod's record and its truth", () => {
  it("1. a replica restarted once by its policy, serving now, does not fail later changes", async () => {
    await up("e2e-rec1", 18201);
    await sh(`kill -9 ${await pid("e2e-rec1-2")}`);
    // Docker's restart policy brings it back within a second or so.
    for (let i = 0; i < 50 && (await docker(["inspect", "-f", "{{.State.Running}} {{.RestartCount}}", "e2e-rec1-2"])).stdout.trim() !== "true 1"; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const again = await pod(["up", "--name", "e2e-rec1", "--replicas", "3", "-p", "127.0.0.1:18201:8080", "http_server"]);
    expect(again.code, again.stderr).toBe(0);
    expect((await pod(["scale", "e2e-rec1", "4"])).code).toBe(0);
    const view = await psJson("e2e-rec1");
    expect(view.replicaContainers.find((r: any) => r.name === "e2e-rec1-2")).toMatchObject({ restarts: 1, condition: "running" });
  });

  it("2. a lost replica does not shrink the pod: the record still asks for it, and up brings it back", async () => {
    await up("e2e-rec2", 18202);
    await docker(["rm", "-f", "e2e-rec2-3"]);
    const view = await psJson("e2e-rec2");
    expect(view).toMatchObject({ status: "degraded", reasons: ["1 lost"], replicas: { ready: 2, asked: 3 } });
    const table = await pod(["ps"]);
    expect(table.stdout).toMatch(/^e2e-rec2\s+http_server\s+2\/3\s+\S+\s+degraded: 1 lost/m);
    const fix = await pod(["scale", "e2e-rec2", "3"]);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stderr).toContain("start replica e2e-rec2-3 (replacing lost replicas)");
    expect(await answering(18202, 90)).toEqual(hello("e2e-rec2", 1, 2, 3));
  });

  it("3. a restarted sandbox: ps says stranded, and up brings the replicas into its new namespace", async () => {
    await up("e2e-rec3", 18203);
    await docker(["restart", "e2e-rec3-sandbox"]);
    const view = await psJson("e2e-rec3");
    expect(view.status).toBe("degraded");
    expect(view.reasons).toEqual(["3 stranded"]);
    expect(view.replicas.ready).toBe(0);
    const fix = await pod(["up", "--name", "e2e-rec3", "--replicas", "3", "-p", "127.0.0.1:18203:8080", "--ready-timeout", "20", "http_server"]);
    expect(fix.code, fix.stderr).toBe(0);
    expect(fix.stderr).toContain("restart 3 replicas: e2e-rec3-1, e2e-rec3-2, e2e-rec3-3 (stranded in a dead network namespace)");
    const lines = await requests(18203, 90);
    expect(lines).toHaveLength(90);
    expect([...new Set(lines)].sort()).toEqual(hello("e2e-rec3", 1, 2, 3));
    expect((await psJson("e2e-rec3")).status).toBe("running");
  });

  it("4. the record survives the sandbox: scale and restart still work after docker rm -f of the sandbox", async () => {
    await up("e2e-rec4", 18204);
    expect((await removeSandbox("e2e-rec4")).code).toBe(0);
    expect((await psJson("e2e-rec4")).status).toBe("stopped");
    const scale = await pod(["scale", "e2e-rec4", "2"]);
    expect(scale.code, scale.stderr).toBe(0);
    expect(await answering(18204, 60)).toEqual(hello("e2e-rec4", 1, 2));
    const restart = await pod(["restart", "e2e-rec4"]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(await answering(18204, 60)).toEqual(hello("e2e-rec4", 1, 2));
  });

  it("5. ownership: a committed copy and a hand-labelled container are listed as ignored and never touched", async () => {
    await up("e2e-rec5", 18205, 2);
    pods.add("e2e-rec5-mine");
    await docker(["rm", "-f", "e2e-rec5-mine", "e2e-rec5-labelled"]);
    expect((await commit("e2e-rec5-1", "e2e-rec5-img", "latest")).code).toBe(0);
    try {
      expect((await docker(["run", "-d", "--name", "e2e-rec5-mine", "-e", "PORT=9999", "e2e-rec5-img:latest"])).code).toBe(0);
      expect((await docker(["run", "-d", "--name", "e2e-rec5-labelled", "-l", "dev.pod.name=e2e-rec5", "-l", "dev.pod.role=replica", "-l", "dev.pod.replica=1", "-e", "PORT=9998", "http_server"])).code).toBe(0);
      const ps = await pod(["ps", "e2e-rec5"]);
      expect(ps.stdout).toContain("ignored: e2e-rec5-mine");
      expect(ps.stdout).toContain("ignored: e2e-rec5-labelled");
      const again = await pod(["up", "--name", "e2e-rec5", "--replicas", "2", "-p", "127.0.0.1:18205:8080", "http_server"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("warning: ignored: e2e-rec5-labelled");
      const down = await pod(["down", "e2e-rec5"]);
      expect(down.code, down.stderr).toBe(0);
      expect(await namesOf("e2e-rec5")).toEqual(["e2e-rec5-labelled", "e2e-rec5-mine"]);
      expect((await docker(["inspect", "-f", "{{.State.Running}}", "e2e-rec5-mine"])).stdout.trim()).toBe("true");
    } finally {
      await docker(["rm", "-f", "e2e-rec5-mine", "e2e-rec5-labelled"]);
      await docker(["rmi", "e2e-rec5-img:latest"]);
    }
  });

  it("6. anonymous volumes go with their containers; named volumes stay", async () => {
    const volumes = async () => (await docker(["volume", "ls", "-q"])).stdout.split("\n").filter(Boolean).sort();
    await docker(["volume", "rm", "e2e-rec6-named"]); // left by an earlier run that failed half-way
    const before = await volumes();
    await up("e2e-rec6", 18206, 2, "-v", "/data", "-v", "e2e-rec6-named:/named");
    expect((await pod(["restart", "e2e-rec6"])).code).toBe(0);
    expect((await pod(["down", "e2e-rec6"])).code).toBe(0);
    expect(await volumes()).toEqual([...before, "e2e-rec6-named"].sort());
    await docker(["volume", "rm", "e2e-rec6-named"]);
  });

  it("7. a closed output pipe never stops a change half-way", async () => {
    await up("e2e-rec7", 18207, 2);
    const ids = async () => (await docker(["inspect", "-f", "{{.Id}}", "e2e-rec7-1", "e2e-rec7-2"])).stdout.split("\n").filter(Boolean);
    const before = await ids();
    const r = await sh(`./bin/pod restart e2e-rec7 2>&1 | head -1; echo "exit \${PIPESTATUS[0]}"`);
    expect(r.stdout).toMatch(/exit 0$/m);
    const names = await namesOf("e2e-rec7");
    expect(names.filter((n) => /-old-|-lock$/.test(n))).toEqual([]);
    expect(names.filter((n) => /^e2e-rec7-\d$/.test(n))).toEqual(["e2e-rec7-1", "e2e-rec7-2"]);
    expect((await ids()).filter((id) => before.includes(id))).toEqual([]); // both replicas were replaced
    expect(await answering(18207, 60)).toEqual(hello("e2e-rec7", 1, 2));
  });

  it("8. scale to 0 after an image change keeps the sandbox: no false outage", async () => {
    await up("e2e-rec8", 18208, 2);
    const sandbox = (await docker(["inspect", "-f", "{{.Id}}", "e2e-rec8-sandbox"])).stdout.trim();
    expect((await pod(["up", "--name", "e2e-rec8", "--replicas", "2", "-p", "127.0.0.1:18208:8080", "http_server:v2"])).code).toBe(0);
    const zero = await pod(["scale", "e2e-rec8", "0"]);
    expect(zero.code, zero.stderr).toBe(0);
    expect(zero.stderr).not.toMatch(/outage|sandbox/);
    expect((await docker(["inspect", "-f", "{{.Id}}", "e2e-rec8-sandbox"])).stdout.trim()).toBe(sandbox);
    expect((await pod(["scale", "e2e-rec8", "2"])).code).toBe(0);
    expect(await answering(18208, 60)).toEqual(["Hello from e2e-rec8-1 (v2)", "Hello from e2e-rec8-2 (v2)"]);
  });

  it("9. ps shows why: not listening yet, restarts, last exit code", async () => {
    await up("e2e-rec9", 18209, 2);
    await sh(`kill -9 ${await pid("e2e-rec9-1")}`);
    await new Promise((r) => setTimeout(r, 1500));
    const table = await pod(["ps", "e2e-rec9"]);
    expect(table.stdout).toMatch(/^REPLICA\s+CONTAINER\s+STATE\s+HEALTH\s+RESTARTS\s+LAST EXIT\s+OOM\s+STARTED\s+IMAGE\s+GEN$/m);
    // Podman zeroes a restarted container's exit code (podmanGap.exitCode): its LAST EXIT is unknown.
    expect(table.stdout).toMatch(onPodman ? /^1\s+e2e-rec9-1\s+running\s+-\s+1\s+-\s+no\s/m : /^1\s+e2e-rec9-1\s+running\s+-\s+1\s+137\s+no\s/m);
    // A replica that runs but does not listen yet is not counted as serving.
    pods.add("e2e-rec9b");
    const slow = pod(["up", "--name", "e2e-rec9b", "--replicas", "2", "-p", "127.0.0.1:18219:8080", "-e", "START_DELAY_MS=6000", "http_server"]);
    let seen = "";
    for (let i = 0; i < 40 && !seen.includes("not listening"); i++) {
      await new Promise((r) => setTimeout(r, 200));
      seen = (await pod(["ps", "e2e-rec9b"])).stdout;
    }
    expect(seen).toMatch(/e2e-rec9b\s+http_server\s+0\/2\s+\S+\s+\w+.*not listening|updating/);
    expect((await slow).code).toBe(0);
  });
});
