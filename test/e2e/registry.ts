// A real registry for the e2e tests: Debian's docker-registry (the distribution registry) on
// 127.0.0.1 and a free port, its storage in a temp directory, htpasswd (bcrypt) auth, and a
// temp DOCKER_CONFIG for `docker login` and `docker push`. The engine treats 127.0.0.0/8
// registries as insecure, so plain HTTP works. Everything it made (the process, the images
// tagged or pulled in its name, the files) goes in `stop()`, which `useRegistry` runs after
// the suite, pass or fail; if the test process dies, the registry dies with it (see start).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { onPodman } from "./engine.js";

const ROOT = new URL("../..", import.meta.url).pathname;
/** Put first on PATH for child processes: docker-credential-test lives here. */
export const FIXTURE_BIN = `${ROOT}test/e2e/fixtures/bin`;
/** What docker-credential-test serves for 127.0.0.1 registries (the registry accepts it). */
export const HELPER_USER = "pod-helper";
export const HELPER_SECRET = "helper-secret-7d3f9a";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], o: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.on("error", () => {}); // a program that exits without reading its input
    child.stdin?.end(o.input ?? "");
  });
}

async function must(file: string, args: string[], o: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(file, args, o);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Registry {
  /** `127.0.0.1:PORT`, the registry part of every reference pushed here. */
  address: string;
  user: string;
  password: string;
  /** A DOCKER_CONFIG directory of its own: empty until `login()`. */
  dockerConfig: string;
  /** For child processes: that DOCKER_CONFIG, and PATH with docker-credential-test first. */
  env: Record<string, string>;
  /** A scratch directory removed by `stop()`. */
  root: string;
  /** `docker login` with the registry's user into `dockerConfig`. */
  login(): Promise<void>;
  /** Tags the engine's `source` as `ADDRESS/repoTag` and pushes it; the full reference. */
  push(source: string, repoTag: string): Promise<string>;
  /**
   * Builds an image no engine has (http_server:latest plus `bytes` of random data), pushes
   * it as `ADDRESS/repoTag` and removes it from the engine, so a pull downloads a layer.
   */
  pushFresh(repoTag: string, bytes: number): Promise<string>;
  /** Removes from the engine every image named in this registry (tags and digests). */
  forgetImages(): Promise<void>;
  stop(): Promise<void>;
}

const USER = "reg-alice";
const PREFIX = "pod-e2e-registry-";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Images named in `address` (tags, and digests of untagged pulls). */
async function imagesOf(address: string): Promise<string[]> {
  const out = await must("docker", ["images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"]);
  const refs = new Set<string>();
  for (const line of out.split("\n")) {
    const [repo, tag, digest] = line.split(" ");
    if (!repo?.startsWith(`${address}/`)) continue;
    refs.add(tag && tag !== "<none>" ? `${repo}:${tag}` : `${repo}@${digest}`);
  }
  return [...refs];
}

/**
 * What a killed run left: its directory (its registry died with it) and the images in its
 * registry's name. Only directories of this harness whose registry is gone are touched.
 */
async function sweepStale(): Promise<void> {
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith(PREFIX)).map((d) => join(tmpdir(), d));
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8").trim();
    } catch {
      return "";
    }
  };
  const live = new Set(dirs.filter((d) => alive(Number(read(join(d, "registry.pid"))) || -1)).map((d) => read(join(d, "address"))));
  for (const dir of dirs) {
    const pid = Number(read(join(dir, "registry.pid")));
    if (pid > 0 ? alive(pid) : Date.now() - Number(read(join(dir, "started"))) < 60_000) continue;
    const address = read(join(dir, "address"));
    if (address && !live.has(address)) {
      const refs = await imagesOf(address);
      if (refs.length > 0) await run("docker", ["rmi", "-f", ...refs]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `docker login`, into the config directory of `env`. On Podman, what `docker login` would
 * write, written here: Podman 4.3's compatible /auth insists on HTTPS even for a registry its
 * registries.conf marks insecure, while its pulls and pushes honour that mark.
 */
async function logIn(address: string, password: string, env: { DOCKER_CONFIG: string }): Promise<void> {
  if (!onPodman) {
    await must("docker", ["login", address, "--username", USER, "--password-stdin"], { env, input: password });
    return;
  }
  const file = join(env.DOCKER_CONFIG, "config.json");
  const config = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  config.auths = { ...config.auths, [address]: { auth: Buffer.from(`${USER}:${password}`).toString("base64") } };
  writeFileSync(file, JSON.stringify(config, null, "\t"), { mode: 0o600 });
}

export async function startRegistry(): Promise<Registry> {
  await sweepStale();
  const root = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(root, "started"), String(Date.now()));
  // Podman pulls over plain HTTP only from a registry its registries.conf marks insecure, by
  // host and port: test/podman/podman.sh marks 127.0.0.1:5000 (Podman's own loopback).
  const port = onPodman ? 5000 : await freePort();
  const address = `127.0.0.1:${port}`;
  writeFileSync(join(root, "address"), address);
  const password = `pw-${randomBytes(6).toString("hex")}`;
  const dockerConfig = join(root, "docker-config");
  mkdirSync(dockerConfig, { mode: 0o700 });
  // The harness pushes with a login of its own, so the tests' DOCKER_CONFIG starts empty.
  const pushConfig = join(root, "push-config");
  mkdirSync(pushConfig, { mode: 0o700 });
  const pushEnv = { DOCKER_CONFIG: pushConfig };
  const htpasswd = (await must("htpasswd", ["-Bbn", USER, password])).trim() + "\n" + (await must("htpasswd", ["-Bbn", HELPER_USER, HELPER_SECRET])).trim() + "\n";
  writeFileSync(join(root, "htpasswd"), htpasswd);
  const config = join(root, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log: {level: warn, accesslog: {disabled: true}}",
      `storage: {filesystem: {rootdirectory: ${join(root, "data")}}, delete: {enabled: true}}`,
      `http: {addr: "${address}", secret: ${randomBytes(8).toString("hex")}}`,
      `auth: {htpasswd: {realm: pod-e2e, path: ${join(root, "htpasswd")}}}`,
      "",
    ].join("\n"),
  );

  // The registry runs under a small shell that waits on its stdin, a pipe from this process:
  // when this process ends, however it ends, the pipe closes and the shell stops the registry.
  const pidFile = join(root, "registry.pid");
  const log = join(root, "registry.log");
  const keeper: ChildProcess = spawn(
    "sh",
    ["-c", 'docker-registry serve "$1" >>"$2" 2>&1 & r=$!; echo $r >"$3"; cat >/dev/null; kill $r 2>/dev/null; wait $r', "sh", config, log, pidFile],
    { stdio: ["pipe", "ignore", "ignore"] },
  );
  const exited = new Promise<void>((resolve) => keeper.once("exit", () => resolve()));

  const registry: Registry = {
    address,
    user: USER,
    password,
    dockerConfig,
    env: { DOCKER_CONFIG: dockerConfig, PATH: `${FIXTURE_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    root,
    async login() {
      await logIn(address, password, registry.env);
    },
    async push(source, repoTag) {
      const ref = `${address}/${repoTag}`;
      await must("docker", ["tag", source, ref]);
      await must("docker", ["push", ref], { env: pushEnv });
      return ref;
    },
    async pushFresh(repoTag, bytes) {
      const context = mkdtempSync(join(root, "build-"));
      writeFileSync(join(context, "blob"), randomBytes(bytes));
      writeFileSync(join(context, "Dockerfile"), "FROM http_server:latest\nCOPY blob /blob\n");
      const ref = `${address}/${repoTag}`;
      await must("docker", ["build", "-q", "-t", ref, context], { env: { DOCKER_BUILDKIT: "0" } });
      await must("docker", ["push", ref], { env: pushEnv });
      await must("docker", ["rmi", ref]);
      return ref;
    },
    async forgetImages() {
      const refs = await imagesOf(address);
      if (refs.length > 0) await run("docker", ["rmi", "-f", ...refs]);
    },
    async stop() {
      try {
        await registry.forgetImages();
      } finally {
        keeper.stdin?.end();
        const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
        if (!stopped) {
          keeper.kill("SIGKILL");
          const pid = Number(readFileSync(pidFile, "utf8"));
          if (pid > 0) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // already gone
            }
          }
        }
        rmSync(root, { recursive: true, force: true });
      }
    },
  };

  // Ready once /v2/ answers; with htpasswd it answers 401.
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`http://${address}/v2/`);
      if (r.status === 401 || r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      let why = "";
      try {
        why = readFileSync(log, "utf8").trim().split("\n").slice(-3).join(" | ");
      } catch {
        // no log yet
      }
      await registry.stop();
      throw new Error(`docker-registry did not answer on ${address} within 20 s${why ? `: ${why}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    await logIn(address, password, pushEnv);
  } catch (err) {
    await registry.stop();
    throw err;
  }
  return registry;
}

/** Starts a registry before the file's tests and stops it after them, pass or fail. */
export function useRegistry(): () => Registry {
  let registry: Registry | null = null;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    registry = null;
  });
  return () => {
    if (!registry) throw new Error("the registry is not running (useRegistry's beforeAll failed?)");
    return registry;
  };
}
