// The e2e suite drives the real CLI (bin/pod, built by `make test`) against the real
// engine, with real clients against the published port. Traffic goes to 127.0.0.1 only.
import { execFile, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { ENGINE_HOST, onPodman, PODMAN_SH, useEngine } from "./engine.js";

export { ENGINE_HOST, onPodman, podmanGap } from "./engine.js";

useEngine();

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const POD = `${ROOT}bin/pod`;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], env: Record<string, string> = {}, timeoutMs = 150_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, CI: "1", POD_AGENT: "0", ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function pod(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return exec(POD, args, env);
}

export function docker(args: string[]): Promise<Result> {
  return exec("docker", args);
}

/** Ids of every container carrying the pod's label, running or not. */
export async function containersOf(name: string): Promise<string[]> {
  const r = await docker(["ps", "-aq", "--no-trunc", "--filter", `label=dev.pod.name=${name}`]);
  return r.stdout.split("\n").filter(Boolean).sort();
}

/** The pod's sandbox and replicas by name: not its record, nor the stopped containers kept for logs. */
export async function namesOf(name: string): Promise<string[]> {
  const r = await docker(["ps", "-a", "--format", "{{.Names}}", "--filter", `label=dev.pod.name=${name}`]);
  return r.stdout
    .split("\n")
    .filter((n) => n && !/-record\.\d+\.[ab]$/.test(n) && !/-prev-[0-9a-f]{12}$/.test(n))
    .sort();
}

/** Ids of containers by name, in the order asked. */
export async function idsOf(...names: string[]): Promise<string[]> {
  return (await docker(["inspect", "-f", "{{.Id}}", ...names])).stdout.split("\n").filter(Boolean);
}

/**
 * The record first, so that an agent watching sees no pod to bring back while its containers
 * go; then the containers, the sandbox last: Podman refuses to remove a container that others
 * joined ("has dependent containers").
 */
export async function removePod(name: string): Promise<void> {
  if (!(await sweepPod(name))) return;
  // A repair the agent had under way when the sweep began can write the pod back: while an
  // agent runs, sweep until none is left.
  const agent = await docker(["ps", "-q", "--filter", "name=^pod-agent$"]);
  if (agent.stdout.trim() === "") return;
  for (let sweep = 0; sweep < 5; sweep++) {
    await new Promise((r) => setTimeout(r, 500));
    if (!(await sweepPod(name))) return;
  }
}

/** Removes what carries the pod's name; whether there was anything. */
async function sweepPod(name: string): Promise<boolean> {
  // Its record: label-only images pod-record:<pod>.<revision>; Podman lists them as localhost/pod-record:….
  const images = await docker(["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", `label=dev.pod.name=${name}`]);
  const refs = images.stdout.split("\n").filter((r) => /^(localhost\/)?pod-record:/.test(r));
  if (refs.length > 0) await docker(["rmi", ...refs]);
  const r = await docker(["ps", "-a", "--no-trunc", "--format", '{{.ID}} {{.Label "dev.pod.role"}}', "--filter", `label=dev.pod.name=${name}`]);
  const rows = r.stdout.split("\n").filter(Boolean).map((l) => l.split(" "));
  // On Podman two calls: docker rm removes the containers it is given all at once.
  const groups = onPodman ? [rows.filter(([, role]) => role !== "sandbox"), rows.filter(([, role]) => role === "sandbox")] : [rows];
  for (const ids of groups.map((g) => g.map(([id]) => id!))) {
    if (ids.length > 0) await docker(["rm", "-f", ...ids]);
  }
  return refs.length > 0 || rows.length > 0;
}

/** A sysctl as the container's network namespace has it, read from there (`nsenter -n`). */
export async function sysctlIn(container: string, name: string): Promise<string> {
  const pid = (await docker(["inspect", "-f", "{{.State.Pid}}", container])).stdout.trim();
  return (await exec("nsenter", ["-t", pid, "-n", "cat", `/proc/sys/${name.replace(/\./g, "/")}`])).stdout.trim();
}

/** A call to the engine's own API (Podman's libpod one), as curl makes it: the body, and whether it succeeded. */
function engineApi(method: string, path: string, body?: string): Promise<Result> {
  const socket = ENGINE_HOST.replace(/^unix:\/\//, "");
  return exec("curl", ["-sS", "--fail-with-body", "--unix-socket", socket, "-X", method, "-H", "Content-Type: application/json", ...(body === undefined ? [] : ["-d", body]), `http://engine${path}`]);
}

/**
 * A user's `docker rm -f POD-sandbox`. Podman refuses that while replicas joined it ("has
 * dependent containers"); its own API removes it with them (`podman rm -f --depend`), the
 * nearest a Podman user can come.
 */
export function removeSandbox(pod: string): Promise<Result> {
  if (onPodman) return engineApi("DELETE", `/v4.0.0/libpod/containers/${pod}-sandbox?force=true&depend=true`);
  return docker(["rm", "-f", `${pod}-sandbox`]);
}

/** `docker commit`. The docker CLI sends no body, which Podman 4.3 refuses ("Decode(): EOF"): an empty one there. */
export function commit(container: string, repo: string, tag: string): Promise<Result> {
  if (onPodman) return engineApi("POST", `/commit?container=${encodeURIComponent(container)}&repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`, "{}");
  return docker(["commit", container, `${repo}:${tag}`]);
}

/** Each test names its pods here; they are removed by label after it, pass or fail. */
export function podsToClean(): Set<string> {
  const names = new Set<string>();
  afterEach(async () => {
    for (const n of names) await removePod(n);
    names.clear();
  });
  return names;
}

/** `n` requests, each on a new connection (`Connection: close`), with curl; the body lines. */
export async function requests(port: number, n: number): Promise<string[]> {
  const r = await exec("curl", ["-s", "--max-time", "5", "-H", "Connection: close", `http://127.0.0.1:${port}/?[1-${n}]`]);
  return r.stdout.split("\n").filter(Boolean);
}

export function countBy(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}

/** Who answered, as the sorted set of `Hello from` lines. */
export async function answering(port: number, n: number): Promise<string[]> {
  return [...countBy(await requests(port, n)).keys()].sort();
}

export function hello(pod: string, ...numbers: number[]): string[] {
  return numbers.map((n) => `Hello from ${pod}-${n}`).sort();
}

/** Holds a port on 127.0.0.1 as another program would. */
export function holdPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

export async function portIsFree(port: number): Promise<boolean> {
  try {
    const s = await holdPort(port);
    await new Promise((r) => s.close(r));
    return true;
  } catch {
    return false;
  }
}

export interface LoadResult {
  total: number;
  errors: number;
  non2xx: number;
  raw: string;
}

/**
 * hey with keep-alive off: every request a new connection, so listeners closing
 * mid-run would show as resets. Runs until `stop` resolves (bounded by maxSeconds).
 */
export function loadUntil(port: number, stop: Promise<unknown>, maxSeconds = 60, concurrency = 20): Promise<LoadResult> {
  return new Promise((resolve) => {
    const child = spawn("hey", ["-z", `${maxSeconds}s`, "-c", String(concurrency), "-disable-keepalive", "-t", "5", `http://127.0.0.1:${port}/`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    void stop.finally(() => setTimeout(() => child.kill("SIGINT"), 500));
    child.on("close", () => resolve(parseHey(out)));
  });
}

export function parseHey(out: string): LoadResult {
  const codes = [...out.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)].map((m) => ({ code: Number(m[1]), n: Number(m[2]) }));
  const ok = codes.filter((c) => c.code >= 200 && c.code < 300).reduce((a, c) => a + c.n, 0);
  const non2xx = codes.filter((c) => c.code < 200 || c.code >= 300).reduce((a, c) => a + c.n, 0);
  const errorSection = out.split("Error distribution:")[1] ?? "";
  const errors = [...errorSection.matchAll(/\[(\d+)\]\s/g)].reduce((a, m) => a + Number(m[1]), 0);
  return { total: ok + non2xx + errors, errors, non2xx, raw: out };
}

/** Answers on the port until every expected replica answered; the milliseconds it took. */
export async function waitServing(port: number, expected: string[], timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const seen = [...new Set(await requestsQuick(port, expected.length * 4))].sort();
    if (JSON.stringify(seen) === JSON.stringify([...expected].sort())) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`port ${port} still answers ${JSON.stringify(seen)} after ${timeoutMs} ms, not ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function requestsQuick(port: number, n: number): Promise<string[]> {
  const r = await exec("curl", ["-s", "--max-time", "1", "-H", "Connection: close", `http://127.0.0.1:${port}/?[1-${n}]`]);
  return r.stdout.split("\n").filter(Boolean);
}

/**
 * Stops dockerd with `signal` (TERM, as a reboot or an upgrade does; KILL, as a crash does),
 * starts it again detached, as the Makefile does, and waits until it answers. On Podman, its
 * service instead; containers outlive it there (conmon holds them), as with live-restore.
 */
export async function restartEngine(signal: "TERM" | "KILL"): Promise<void> {
  if (onPodman) {
    const r = await exec(PODMAN_SH, ["restart", signal], {}, 90_000);
    if (r.code !== 0) throw new Error(`restarting the podman service failed: ${r.stderr}`);
    return;
  }
  const script = [
    "set -e",
    "pid=$(pidof dockerd)",
    `kill -${signal} $pid`,
    "for i in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done",
    "rm -f /var/run/docker.pid",
    `mkdir -p ${ROOT}.cache`,
    `setsid nohup dockerd >> ${ROOT}.cache/dockerd.log 2>&1 < /dev/null &`,
    "for i in $(seq 600); do docker info >/dev/null 2>&1 && exit 0; sleep 0.1; done",
    "echo 'dockerd did not come back' >&2; exit 1",
  ].join("\n");
  const r = await exec("bash", ["-c", script], {}, 90_000);
  if (r.code !== 0) throw new Error(`restarting the engine failed: ${r.stderr}`);
}

/** Until `ok` says yes, polled every 250 ms; an error naming what was awaited after `timeoutMs`. */
export async function waitFor(ok: () => Promise<boolean>, timeoutMs = 30_000, what = "the condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
