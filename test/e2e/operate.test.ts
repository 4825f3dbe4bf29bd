// Operating a pod as a user of docker, compose or kubectl would: logs (following a scale),
// exec, inspect, stats, engine contexts, and the command-line habits they bring.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINE_HOST, onPodman, pod, podsToClean } from "./harness.js";

const pods = podsToClean();
const ROOT = new URL("../..", import.meta.url).pathname;

async function up(name: string, port: number, replicas = 2, ...more: string[]): Promise<void> {
  pods.add(name);
  const r = await pod(["up", "--name", name, "--replicas", String(replicas), "-p", `127.0.0.1:${port}:8080`, ...more, "http_server"]);
  expect(r.code, r.stderr).toBe(0);
}

describe("pod logs", () => {
  it("merges the replicas' lines in time order, each prefixed by its replica", async () => {
    await up("e2e-logs", 18701, 2);
    const r = await pod(["logs", "e2e-logs", "-t"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^e2e-logs-\d \| \d{4}-\d\d-\d\dT[\d:.]+Z http_server e2e-logs-\d: listening on 0\.0\.0\.0:8080 \(SO_REUSEPORT on\)$/);
    const stamps = lines.map((l) => l.split(" ")[2]!);
    expect([...stamps].sort()).toEqual(stamps);
    expect((await pod(["logs", "e2e-logs", "2"])).stdout.trim()).toMatch(/^e2e-logs-2 \| http_server e2e-logs-2: listening/);
  });

  it("-f follows replicas that start during a scale", async () => {
    await up("e2e-follow", 18702, 1);
    const child = spawn(`${ROOT}bin/pod`, ["logs", "e2e-follow", "-f"], { env: { ...process.env, POD_AGENT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      expect(out).toContain("e2e-follow-1 | ");
      expect((await pod(["scale", "e2e-follow", "3"])).code).toBe(0);
      for (let i = 0; i < 50 && !(out.includes("e2e-follow-2 | ") && out.includes("e2e-follow-3 | ")); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/^e2e-follow-2 \| http_server e2e-follow-2: listening/m);
      expect(out).toMatch(/^e2e-follow-3 \| http_server e2e-follow-3: listening/m);
      // Scale down: the stopping replica's last words arrive too (not always on Podman: podmanGap.followStop).
      expect((await pod(["scale", "e2e-follow", "2"])).code).toBe(0);
      if (!onPodman) {
        for (let i = 0; i < 50 && !/e2e-follow-3 \| .*(terminated|draining|exiting|SIGTERM|stopped)/i.test(out); i++) await new Promise((r) => setTimeout(r, 100));
        expect(out).toMatch(/e2e-follow-3 \| .*(terminated|draining|exiting|SIGTERM|stopped)/i);
      }
    } finally {
      child.kill("SIGINT");
    }
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
  });

  it("--previous shows the failed replica's logs after a rollback", async () => {
    await up("e2e-prev", 18703, 1);
    const failed = await pod(["up", "--name", "e2e-prev", "--replicas", "1", "-p", "127.0.0.1:18703:8080", "-e", "REUSEPORT=0", "http_server:v2"]);
    expect(failed.code).toBe(1);
    const prev = await pod(["logs", "e2e-prev", "--previous"]);
    expect(prev.stdout).toMatch(/^e2e-prev-1-prev-\w{12} \| .*bind: address already in use$/m);
  });
});

describe("pod exec, inspect, stats", () => {
  it("exec runs in a replica, passes arguments verbatim, reads stdin with -i, and exits with the command's code", async () => {
    await up("e2e-exec", 18704, 2);
    const args = await pod(["exec", "e2e-exec", "--", "/http_server", "tool", "args", "1e3", "0x10", "1.50", "--env-file", "/nonexistent"]);
    expect(args.code, args.stderr).toBe(0);
    expect(args.stdout.split("\n").filter(Boolean)).toEqual(["1e3", "0x10", "1.50", "--env-file", "/nonexistent"]);
    const env = await pod(["exec", "e2e-exec", "--replica", "2", "--", "/http_server", "tool", "env"]);
    expect(env.stdout).toContain("POD_REPLICA=2");
    expect((await pod(["exec", "e2e-exec", "--", "/http_server", "tool", "exit", "42"])).code).toBe(42);
    const cat = await new Promise<string>((resolve) => {
      const child = spawn(`${ROOT}bin/pod`, ["exec", "-i", "e2e-exec", "--", "/http_server", "tool", "cat"], { stdio: ["pipe", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("close", () => resolve(out));
      child.stdin.end("through stdin\n");
    });
    expect(cat).toBe("through stdin\n");
  });

  it("inspect is the pod as JSON: record, spec with env keys only, network, replicas, generations", async () => {
    await up("e2e-insp", 18705, 2, "-e", "TOKEN=s3cret");
    const r = await pod(["inspect", "e2e-insp"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ name: "e2e-insp", status: "running", replicas: { ready: 2, asked: 2 }, record: { generation: 1 } });
    expect(doc.spec.replica.env).toEqual(["TOKEN=<hidden>"]);
    // Podman's default network is named podman (pod's "bridge" on the command line).
    expect(doc.network.sandbox.addresses[0]).toMatchObject({ network: onPodman ? "podman" : "bridge", ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) });
    expect(doc.network.ports).toEqual([{ hostIp: "127.0.0.1", hostPort: 18705, containerPort: 8080, protocol: "tcp" }]);
    expect(doc.replicaContainers.map((c: any) => [c.name, c.state, c.restarts])).toEqual([["e2e-insp-1", "running", 0], ["e2e-insp-2", "running", 0]]);
    expect(doc.generations).toEqual([expect.objectContaining({ generation: 1, status: "ok", current: true })]);
    expect(r.stdout).not.toContain("s3cret");
  });

  it("stats samples each replica and the pod", async () => {
    await up("e2e-stats", 18706, 2, "--memory", "64m");
    const r = await pod(["stats", "e2e-stats", "--no-stream"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^REPLICA\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O$/m);
    expect(r.stdout).toMatch(/^e2e-stats-1\s+\d+\.\d\d%\s+[\d.]+\w?i?B \/ 64\.0MiB/m);
    expect(r.stdout).toMatch(/^pod\s+\d+\.\d\d%\s+[\d.]+\w?i?B \/ 128\.0MiB/m);
    const json = JSON.parse((await pod(["stats", "e2e-stats", "--json"])).stdout);
    expect(json.replicas).toHaveLength(2);
    expect(json.pod.memLimitBytes).toBe(128 * 1024 * 1024);
  });
});

describe("engine selection, as the docker CLI does it", () => {
  it("DOCKER_CONTEXT and --context pointing at a dead socket fail with its address; an unknown context is named", async () => {
    await up("e2e-ctx", 18707, 1);
    const config = mkdtempSync(join(tmpdir(), "pod-ctx-"));
    const id = createHash("sha256").update("dead").digest("hex");
    mkdirSync(join(config, "contexts", "meta", id), { recursive: true });
    writeFileSync(join(config, "contexts", "meta", id, "meta.json"), JSON.stringify({ Name: "dead", Metadata: {}, Endpoints: { docker: { Host: "unix:///tmp/pod-dead.sock", SkipTLSVerify: false } } }));
    // DOCKER_HOST would win over any context: unset here (the harness sets it for Podman).
    const viaEnv = await pod(["ps"], { DOCKER_CONFIG: config, DOCKER_CONTEXT: "dead", DOCKER_HOST: "" });
    expect(viaEnv.code).toBe(3);
    expect(viaEnv.stderr).toContain("unix:///tmp/pod-dead.sock");
    expect(viaEnv.stdout).not.toContain("e2e-ctx");
    const viaFlag = await pod(["--context", "dead", "ps"], { DOCKER_CONFIG: config, DOCKER_HOST: "" });
    expect(viaFlag.code).toBe(3);
    writeFileSync(join(config, "config.json"), JSON.stringify({ currentContext: "dead" }));
    expect((await pod(["ps"], { DOCKER_CONFIG: config, DOCKER_HOST: "" })).code).toBe(3);
    expect((await pod(["ps"], { DOCKER_CONFIG: config, DOCKER_HOST: ENGINE_HOST })).stdout).toContain("e2e-ctx");
    expect((await pod(["-H", ENGINE_HOST, "ps"], { DOCKER_CONFIG: config, DOCKER_HOST: "" })).stdout).toContain("e2e-ctx");
    const unknown = await pod(["--context", "nowhere", "ps"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^pod: context "nowhere" .*does not exist/);
  });
});

describe("command-line habits", () => {
  it("--env-file is pod's, not Node's", async () => {
    const r = await pod(["up", "--name", "e2e-envf", "--env-file", "/nonexistent", "http_server"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("pod: --env-file /nonexistent cannot be read (ENOENT); give the path of a readable file");
  });

  it("arguments after -- reach the container verbatim", async () => {
    pods.add("e2e-args");
    // The image's entrypoint is /http_server: its tool prints each argument it got, then exits,
    // so the replica never serves and the diagnosis shows its last words.
    const r = await pod(["up", "--name", "e2e-args", "--replicas", "1", "--ready-timeout", "2", "http_server", "--", "tool", "args", "1e3", "0x10", "1.50"]);
    expect(r.code).toBe(1);
    // On Podman it is restarted (its restart policy is set at create), so two runs' lines merge.
    if (onPodman) for (const arg of ["1e3", "0x10", "1.50"]) expect(r.stderr).toMatch(new RegExp(`\\n\\s+${arg.replace(".", "\\.")}\\n`));
    else expect(r.stderr).toMatch(/last log lines:\n\s+1e3\n\s+0x10\n\s+1\.50\n/);
  });

  it("unknown flags are named, images cannot start with a dash, and bad input only the engine sees exits 2", async () => {
    const d = await pod(["up", "-d", "http_server"]);
    expect([d.code, d.stderr.trim()]).toEqual([2, "pod: unknown option -d; pod up already runs detached: leave -d out"]);
    const dash = await pod(["up", "-http_server"]);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toContain('an image name cannot start with "-"');
    pods.add("e2e-badnet");
    const net = await pod(["up", "--name", "e2e-badnet", "--network", "e2e-no-such-net", "http_server"]);
    expect(net.code).toBe(2);
    expect(net.stderr).toContain("network e2e-no-such-net does not exist on the engine");
    const ip = await pod(["up", "--name", "e2e-badnet", "-p", "198.18.7.7:18709:8080", "http_server"]);
    expect(ip.code).toBe(2);
    expect(ip.stderr).toContain("cannot publish on 198.18.7.7:18709: that address is not on the engine's host");
  });
});
