// The adapter on dockerode against real node:http servers that answer as the engine does:
// a unix socket in a temp dir, plain tcp with a base path, and TLS with certificates made
// here by openssl. What goes on the wire, and what comes back as pod's types and errors.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { getEventListeners, once } from "node:events";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable, type Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { extract } from "tar-stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { labelledImageArchive, labelledImageConfig } from "../../../src/engine/archive.js";
import { DockerEngine } from "../../../src/engine/docker.js";
import type { Endpoint } from "../../../src/engine/endpoint.js";
import { modemOptions, SSH_CALL_CONNECTIONS } from "../../../src/engine/modem.js";
import { EngineError, EngineUnreachableError, ImagePullError } from "../../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "pod-docker-"));
const socketPath = join(dir, "engine.sock");
const unix = (path = socketPath): Endpoint => ({ host: `unix://${path}`, tls: null, context: "default", source: "default" });

function frame(stream: number, text: string): Buffer {
  const data = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, data]);
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Api-Version": "1.41" });
  res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let flakyRemovals = 0;
let flakyInspects = 0;

/** Every request the servers saw: method, raw URL, headers, body. */
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer }[] = [];
/** What the streaming log route waits for before sending its last frame. */
let releaseLast: () => void = () => {};
const hanging: ServerResponse[] = [];
const opened: Socket[] = [];

const INSPECT = {
  Id: "c".repeat(64),
  Name: "/web-1",
  Created: "2026-01-02T03:04:05Z",
  Image: "sha256:img",
  Config: { Image: "http_server", Labels: { "dev.pod.name": "web" }, Env: ["A=1"] },
  State: { Status: "running", Running: true, Restarting: false, Pid: 0, ExitCode: 0, OOMKilled: false, Error: "", StartedAt: "2026-01-02T03:04:06Z", FinishedAt: "0001-01-01T00:00:00Z", Health: { Status: "healthy", FailingStreak: 0, Log: [{ ExitCode: 0, Output: "ok" }] } },
  RestartCount: 0,
  HostConfig: { NetworkMode: "bridge", RestartPolicy: { Name: "no" } },
  NetworkSettings: { Ports: {}, Networks: {} },
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname.replace(/^\/base/, "");
  const text = await body(req);
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: text });
  if (path === "/version") return json(res, 200, { Version: "4.3.1", ApiVersion: "1.41", Components: [{ Name: "Podman Engine", Version: "4.3.1" }] });
  if (path === "/info") return json(res, 200, { KernelVersion: "6.1.0", ServerVersion: "4.3.1", OperatingSystem: "debian" });
  if (path === "/containers/json") return json(res, 200, [{ Id: "c1", Names: ["/web-1"], Labels: null, State: "running", Created: 1700000000 }]);
  if (path === `/containers/${"c".repeat(64)}/json`) return json(res, 200, INSPECT);
  if (path === "/containers/nope/json") return json(res, 404, { message: "No such container: nope" });
  if (path === "/containers/vanished/json") return json(res, 500, { message: "container 9e27 does not exist in database: no such container" });
  if (path === "/containers/agent/json") return json(res, 200, { ...INSPECT, Name: "/pod-agent", Config: { ...INSPECT.Config, Image: "docker.io/library/pod-agent:1" } });
  if (path === "/networks/create" && JSON.parse(text.toString() || "{}").Name === "held-net") return json(res, 500, { message: "network name held-net already used: network already exists" });
  if (path === "/containers/dying/json") {
    // Podman reading a container's cgroup as its process exits: once refused, then answered.
    flakyInspects++;
    if (flakyInspects === 1) return json(res, 500, { message: "read /proc/20622/cgroup: no such process" });
    return json(res, 200, INSPECT);
  }
  if (path === "/containers/flaky" && req.method === "DELETE") {
    // Podman between a container's exit and its restart: once refused, then removed.
    flakyRemovals++;
    if (flakyRemovals === 1) return json(res, 500, { message: "cannot remove container flaky as it could not be stopped: sending SIGKILL to container flaky: container state improper: stopped" });
    return void (res.writeHead(204), res.end());
  }
  if (path === "/images/json") {
    // As Podman 4.3 answers: nothing for two label filters; short names qualified with localhost/.
    const labels = (JSON.parse(url.searchParams.get("filters") ?? "{}") as { label?: string[] }).label ?? [];
    if (labels.length > 1) return json(res, 200, []);
    return json(res, 200, [
      { Id: "sha256:r3", RepoTags: ["localhost/pod-record:web.3"], Labels: { "dev.pod.role": "record", "dev.pod.name": "web" }, Created: 1 },
      { Id: "sha256:o1", RepoTags: ["localhost/pod-record:other.1"], Labels: { "dev.pod.role": "record", "dev.pod.name": "other" }, Created: 1 },
      { Id: "sha256:d0", RepoTags: null, Labels: { "dev.pod.role": "record", "dev.pod.name": "web" }, Created: 1 },
    ]);
  }
  if (path === "/containers/create") {
    if (url.searchParams.get("name") === "taken") return json(res, 409, { message: 'Conflict. The container name "/taken" is already in use' });
    if (url.searchParams.get("name") === "held") {
      return json(res, 500, { message: 'container create: creating container storage: the container name "held" is already in use by 9e27. You have to remove that container to be able to reuse that name: that name is already in use' });
    }
    return json(res, 201, { Id: "new1", Warnings: [] });
  }
  if (path === "/containers/c1/start") return json(res, 304, {});
  if (path === "/containers/c1/stop") return void (res.writeHead(304), res.end());
  if (path === "/containers/up/stop") return void (res.writeHead(204), res.end());
  if (path === "/containers/gone/stop") return json(res, 404, { message: "No such container: gone" });
  if (path === "/containers/c1" && req.method === "DELETE") return json(res, 409, { message: "removal of container c1 is already in progress" });
  if (path === "/containers/c2" && req.method === "DELETE") return json(res, 409, { message: "You cannot remove a running container c2" });
  if (/^\/images\/..%2Fx\/json$/.test(path) || path === "/x/json") {
    // What Docker answers a path with `..`: a redirect to the cleaned path.
    res.writeHead(301, { Location: "/x/json", "Content-Type": "text/html; charset=utf-8" });
    return void res.end('<a href="/x/json">Moved Permanently</a>.\n\n');
  }
  if (path === "/images/web%3A1/json" || path === "/images/web:1/json") return json(res, 200, { Id: "sha256:w", Config: { Healthcheck: { Test: ["CMD", "x"] } }, RepoDigests: ["reg/web@sha256:1"] });
  if (path === "/text-error") return void (res.writeHead(500, { "Content-Type": "text/plain" }), res.end("boom\n"));
  if (/^\/containers\/c1\/logs$/.test(path)) {
    res.writeHead(200, { "Content-Type": "application/vnd.docker.multiplexed-stream" });
    const all = Buffer.concat([frame(1, "2026-01-01T00:00:01.000000001Z first line\n"), frame(2, "2026-01-01T00:00:02Z an error\n"), frame(1, "2026-01-01T00:00:03Z last\n")]);
    if (url.searchParams.get("follow") !== "true") return void res.end(all);
    // Frames cut at awkward places; the last one only once the client has the others.
    const gate = new Promise<void>((r) => (releaseLast = r));
    const cuts = [0, 5, 30, 50, 63, 90, all.length];
    for (let i = 0; i < cuts.length - 1; i++) {
      if (i === cuts.length - 2) await gate;
      res.write(all.subarray(cuts[i], cuts[i + 1]));
      await sleep(10);
    }
    return void res.end();
  }
  if (path === "/containers/c1/exec") return json(res, 201, { Id: "e1" });
  if (path === "/exec/e1/start") {
    // Without a hijack: the multiplexed output, then the end.
    res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
    return void res.end(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]));
  }
  if (path === "/exec/e1/json") return json(res, 200, { ExitCode: 3 });
  if (path === "/exec/e2/json") return json(res, 200, { ExitCode: 0 });
  if (path === "/events") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write(JSON.stringify({ Type: "container", Action: "die", Actor: { ID: "c1", Attributes: { exitCode: "1" } }, timeNano: 1_700_000_000_000_000_000 }) + "\n");
    if (url.searchParams.has("until")) return void res.end();
    hanging.push(res);
    return;
  }
  if (path === "/images/create") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"status":"Pulling from team/web","id":"1.0"}\n{"status":"Downloading","progressDetail":{"current":5,"total":10},"id":"a1"}\n');
    if (url.searchParams.get("tag") === "bad") res.write('{"errorDetail":{"message":"manifest for 127.0.0.1:5000/team/web:bad not found: manifest unknown"},"error":"manifest for … not found"}\n');
    return void res.end('{"status":"Digest: sha256:ab"}\n');
  }
  if (/^\/distribution\/.*\/json$/.test(path)) {
    if (path.includes("podman")) return json(res, 404, { message: `Path ${path} is not supported`, response: 404 });
    if (!req.headers["x-registry-auth"]) return json(res, 401, { message: "unauthorized: authentication required" });
    return json(res, 200, { Descriptor: { digest: "sha256:dd", mediaType: "x", size: 1 } });
  }
  if (path === "/build") {
    // The context arrives as a tar: say which files it held, as a build's output lines.
    const names = [...text.toString("latin1").matchAll(/(?:^|\0)([\w.-]+)\0{10}/g)].map((m) => m[1]);
    res.writeHead(200, { "Content-Type": "application/json" });
    if (url.searchParams.get("t") === "bad:1") return void res.end('{"stream":"Step 1/1"}\n{"error":"dockerfile parse error line 1: unknown instruction: FORM","errorDetail":{}}\n');
    return void res.end(`{"stream":"context ${names.join(",")}"}\n{"aux":{"ID":"sha256:b"}}\n`);
  }
  if (path === "/hang") return void hanging.push(res);
  return json(res, 404, { message: `page not found: ${path}` });
}

/** Docker's hijack: read the request's body, answer 101, then frames (here: the input echoed on stdout, then the end). */
function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: head });
  socket.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
  let input = "";
  let bodyDone = head.toString("utf8").includes("}");
  socket.on("data", (chunk: Buffer) => {
    // The request's own chunked body ({"Detach":false,"Tty":false}) comes first: skip it.
    const text = chunk.toString("utf8");
    if (!bodyDone && text.includes("}")) {
      bodyDone = true;
      return;
    }
    input += text;
  });
  socket.on("end", () => {
    socket.end(frame(1, `got:${input}`));
  });
}

function serve(server: Server): Server {
  server.on("request", (req, res) => void handle(req, res));
  server.on("upgrade", handleUpgrade);
  server.on("connection", (s: Socket) => opened.push(s));
  return server;
}

const unixServer = serve(createServer());
const tcpServer = serve(createServer());
let tcpPort = 0;
const engines: DockerEngine[] = [];
const engine = (e: Endpoint = unix()) => {
  const d = new DockerEngine(e);
  engines.push(d);
  return d;
};

beforeAll(async () => {
  unixServer.listen(socketPath);
  tcpServer.listen(0, "127.0.0.1");
  await Promise.all([once(unixServer, "listening"), once(tcpServer, "listening")]);
  tcpPort = (tcpServer.address() as AddressInfo).port;
});

afterEach(() => {
  for (const e of engines.splice(0)) e.close();
  for (const res of hanging.splice(0)) res.destroy();
  seen.length = 0;
});

afterAll(async () => {
  unixServer.closeAllConnections();
  tcpServer.closeAllConnections();
  await Promise.all([new Promise((r) => unixServer.close(r)), new Promise((r) => tcpServer.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

describe("modemOptions: an Endpoint as docker-modem's options", () => {
  const tls = { ca: "CA", cert: "CERT", key: "KEY", verify: true };
  it.each([
    ["unix", unix("/run/docker.sock"), { socketPath: "/run/docker.sock", protocol: "http" }, { kind: "unix" }],
    ["tcp", { ...unix(), host: "tcp://10.0.0.1:2375" }, { host: "10.0.0.1", port: 2375, protocol: "http" }, { kind: "tcp" }],
    ["tcp with a base path: docker-modem's version prefix", { ...unix(), host: "tcp://h:2375/a/b" }, { host: "h", port: 2375, protocol: "http", version: "a/b" }, { kind: "tcp" }],
    ["tcp on IPv6", { ...unix(), host: "tcp://[::1]:2375" }, { host: "::1", port: 2375, protocol: "http" }, { kind: "tcp" }],
    ["TLS, verified, with a client pair", { ...unix(), host: "tcp://h:2376", tls }, { host: "h", port: 2376, protocol: "https" }, { kind: "tls", ...tls }],
    ["TLS, a certificate without its key is no pair", { ...unix(), host: "tcp://h:2376", tls: { ...tls, key: null } }, { protocol: "https" }, { kind: "tls", ca: "CA", cert: null, key: null, verify: true }],
    ["TLS without verification", { ...unix(), host: "tcp://h:2376", tls: { ca: null, cert: null, key: null, verify: false } }, { protocol: "https" }, { kind: "tls", ca: null, cert: null, key: null, verify: false }],
    ["ssh: a placeholder host, the agent connects", { ...unix(), host: "ssh://me@box:2222" }, { host: "docker", protocol: "http" }, { kind: "ssh", host: "ssh://me@box:2222" }],
  ])("%s", (_name, endpoint, options, transport) => {
    const got = modemOptions(endpoint as Endpoint);
    expect(got.options).toMatchObject({ ...options, headers: { "User-Agent": "pod" } });
    expect(got.transport).toEqual(transport);
    if (!("version" in options)) expect(got.options.version).toBeUndefined();
  });

  it("ssh calls share one login", () => {
    expect(SSH_CALL_CONNECTIONS).toBe(1);
  });
});

describe("what goes on the wire", () => {
  it("a listing: all containers, label filters as docker's JSON", async () => {
    expect(await engine().listContainers(["dev.pod.name=web", "dev.pod.role"])).toEqual([{ id: "c1", name: "web-1", labels: {}, state: "running", created: 1700000000000 }]);
    const url = new URL(seen[0]!.url, "http://x");
    expect(url.pathname).toBe("/containers/json");
    expect(url.searchParams.get("all")).toBe("true");
    expect(JSON.parse(url.searchParams.get("filters")!)).toEqual({ label: ["dev.pod.name=web", "dev.pod.role"] });
    expect(seen[0]!.headers["user-agent"]).toBe("pod");
  });

  it("a create: the name in the query, the config in the body only (never env values in a URL)", async () => {
    const id = await engine().createContainer({ name: "web-1", Image: "http_server", Env: ["PASSWORD=s3cret é"], Labels: { a: "b" }, HostConfig: { NetworkMode: "container:x" } });
    expect(id).toBe("new1");
    expect(seen[0]!.url).toBe("/containers/create?name=web-1");
    expect(JSON.parse(seen[0]!.body.toString("utf8"))).toEqual({ Image: "http_server", Env: ["PASSWORD=s3cret é"], Labels: { a: "b" }, HostConfig: { NetworkMode: "container:x" } });
  });

  it("names are one path segment: `/` and `?` cannot change the path", async () => {
    expect(await engine().image("web:1")).toEqual({ id: "sha256:w", user: "", repoDigests: ["reg/web@sha256:1"], healthcheck: true });
    await engine().inspectContainer("a/b?c");
    expect(seen.map((s) => s.url).filter((u) => u !== "/version")).toEqual(["/images/web%3A1/json", "/containers/a%2Fb%3Fc/json"]);
  });

  it("which engine: /version and /info, read together", async () => {
    expect(await engine().info()).toEqual({ kernelVersion: "6.1.0", serverVersion: "4.3.1", apiVersion: "1.41", os: "debian", engine: "podman", engineVersion: "4.3.1" });
  });

  it("inspect: pod's ContainerInfo, health included; 404 is null", async () => {
    const e = engine();
    expect(await e.inspectContainer("c".repeat(64))).toMatchObject({ name: "web-1", health: { status: "healthy", lastOutput: "ok", lastExitCode: 0, failingStreak: 0 } });
    expect(await e.inspectContainer("nope")).toBeNull();
  });

  it("keeps one connection alive across calls; close() ends it", async () => {
    const e = engine();
    const before = opened.length;
    for (let i = 0; i < 3; i++) await e.listContainers([]);
    const mine = opened.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.closed).toBe(false);
    e.close();
    await sleep(50);
    expect(mine[0]!.closed).toBe(true);
  });

  it("Docker's variables are pod's to read (endpoint.ts), not docker-modem's", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { DOCKER_HOST: "tcp://192.0.2.1:1", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: join(dir, "nonexistent") });
    try {
      expect(await engine().listContainers([])).toHaveLength(1);
      expect(process.env.DOCKER_HOST).toBe("tcp://192.0.2.1:1");
    } finally {
      for (const k of ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"]) if (saved[k] === undefined) delete process.env[k];
    }
  });
});

describe("Podman's answers, translated in the adapter", () => {
  it("image listings: the first label filter asked, the others applied here", async () => {
    const images = await engine().listImages(["dev.pod.name=web", "dev.pod.role=record"]);
    expect(images.map((i) => [i.id, i.repoTags])).toEqual([
      ["sha256:r3", ["localhost/pod-record:web.3"]],
      ["sha256:d0", []],
    ]);
    const asked = seen.filter((r) => r.url.startsWith("/images/json")).map((r) => JSON.parse(new URL(r.url, "http://x").searchParams.get("filters")!));
    expect(asked).toEqual([{ label: ["dev.pod.name=web"] }]);
  });

  it("a taken container or network name (Podman's 500) is a 409; a container gone while inspected (500) is null; a removal or an inspect caught between exit and restart is tried again", async () => {
    const err = await rejection(engine().createNetwork({ name: "held-net", labels: {} }));
    expect((err as EngineError).statusCode).toBe(409);
    expect(await engine().inspectContainer("vanished")).toBeNull();
    await engine().removeContainer("flaky");
    expect(flakyRemovals).toBe(2);
    expect(await engine().inspectContainer("dying")).not.toBeNull();
    expect(flakyInspects).toBe(2);
  });

  it("no call added to find out which engine answers: listings and inspects ask no /version", async () => {
    const e = engine();
    await e.inspectContainer("agent");
    await e.listImages(["dev.pod.role"]);
    expect(seen.filter((r) => r.url === "/version")).toHaveLength(0);
  });
});

describe("answers that are not success", () => {
  it("an HTTP error is an EngineError naming what pod did, with the engine's words and status", async () => {
    const err = await rejection(engine().createContainer({ name: "taken", Image: "x", Labels: {}, HostConfig: {} }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe('create container taken: Conflict. The container name "/taken" is already in use');
    // The lock counts on it.
    expect((err as EngineError).statusCode).toBe(409);
  });

  it("Podman's answer to a taken name (500) is a 409, as Docker's", async () => {
    const err = await rejection(engine().createContainer({ name: "held", Image: "x", Labels: {}, HostConfig: {} }));
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).statusCode).toBe(409);
    expect(err.message).toContain('the container name "held" is already in use');
  });

  it("a 301 is never success, and never followed", async () => {
    const err = await rejection(engine().image("../x"));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe("inspect image ../x: the engine answered with a redirect (HTTP 301) instead of a result");
    expect((err as EngineError).statusCode).toBe(301);
    expect(seen.map((s) => s.url)).toEqual(["/images/..%2Fx/json"]);
  });

  it("statuses that are answers: already started, already stopped, gone, a removal already under way", async () => {
    const e = engine();
    await e.startContainer("c1");
    expect(await e.stopContainer("c1", 5)).toBe(false);
    expect(await e.stopContainer("gone", null)).toBe(false);
    expect(await e.stopContainer("up", null)).toBe(true);
    await e.removeContainer("c1");
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["POST /containers/c1/start", "POST /containers/c1/stop?t=5", "POST /containers/gone/stop", "POST /containers/up/stop", "DELETE /containers/c1?force=true&v=true"]);
    const err = await rejection(e.removeContainer("c2"));
    expect(err.message).toBe("remove container c2: You cannot remove a running container c2");
  });

  it("a missing socket: no engine answers, named", async () => {
    const missing = join(dir, "missing.sock");
    const err = await rejection(engine(unix(missing)).listContainers([]));
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe(`no Docker engine answers at unix://${missing} (ENOENT)`);
    expect((err as EngineUnreachableError).exitCode).toBe(3);
  });

  it("a refused tcp connection", async () => {
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await rejection(engine({ host: `tcp://127.0.0.1:${port}`, tls: null, context: "default", source: "DOCKER_HOST" }).info());
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe(`no Docker engine answers at tcp://127.0.0.1:${port} (ECONNREFUSED; from DOCKER_HOST)`);
  });
});

describe("streams", () => {
  it("logs -f: lines as they arrive, frames cut across chunks made whole, each stream its own", async () => {
    const lines: string[] = [];
    for await (const l of engine().logs("c1", { follow: true, tail: null, since: null }, new AbortController().signal)) {
      lines.push(`${l.stream} ${l.stamp} ${l.text}`);
      // The server sends the last frame only after this: reading all first would hang.
      if (lines.length === 2) releaseLast();
    }
    expect(lines).toEqual(["stdout 2026-01-01T00:00:01.000000001Z first line", "stderr 2026-01-01T00:00:02Z an error", "stdout 2026-01-01T00:00:03Z last"]);
    const url = new URL(seen[0]!.url, "http://x");
    expect(Object.fromEntries(url.searchParams)).toEqual({ stdout: "true", stderr: "true", timestamps: "true", follow: "true" });
  });

  it("logs -f: a reader that stops early closes the stream", async () => {
    const before = opened.length;
    for await (const l of engine().logs("c1", { follow: true, tail: null, since: null }, new AbortController().signal)) {
      expect(l.text).toBe("first line");
      break;
    }
    const mine = opened.slice(before);
    for (let i = 0; i < 50 && !mine.every((s) => s.closed); i++) await sleep(10);
    expect(mine.map((s) => s.closed)).toEqual([true]);
  });

  it("logTail: stdout and stderr interleaved as written", async () => {
    expect(await engine().logTail("c1", 3)).toEqual(["2026-01-01T00:00:01.000000001Z first line", "2026-01-01T00:00:02Z an error", "2026-01-01T00:00:03Z last"]);
    expect(new URL(seen[0]!.url, "http://x").searchParams.get("tail")).toBe("3");
  });

  it("exec: output of both streams, then the exit code", async () => {
    expect(await engine().exec("c1", ["probe", "8080/tcp"])).toEqual({ exitCode: 3, output: "out\nerr\n" });
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({ Cmd: ["probe", "8080/tcp"], AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false });
    expect(JSON.parse(seen[1]!.body.toString())).toEqual({ Detach: false, Tty: false });
  });

  it("exec with input: the hijacked connection both ways, end of input a half-close", async () => {
    const e = engine();
    // The server's exec e1 answers hijacks too; its exit code is 3.
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const code = await e.execAttached("c1", ["cat"], { stdin: Readable.from(["hello ", "world"]), stdout: out, stderr: new Writable({ write: (_c, _e, d) => d() }), tty: null });
    expect(code).toBe(3);
    expect(Buffer.concat(chunks).toString()).toBe("got:hello world");
    const upgrade = seen.find((s) => s.url === "/exec/e1/start")!;
    expect(upgrade.headers).toMatchObject({ connection: "Upgrade", upgrade: "tcp" });
  });

  it("events until aborted: the reader ends quietly", async () => {
    const controller = new AbortController();
    const got: string[] = [];
    for await (const ev of engine().events(["dev.pod.name"], controller.signal)) {
      got.push(`${ev.action} ${ev.id} ${ev.attributes.exitCode}`);
      controller.abort();
    }
    expect(got).toEqual(["die c1 1"]);
    expect(JSON.parse(new URL(seen[0]!.url, "http://x").searchParams.get("filters")!)).toEqual({ type: ["container"], label: ["dev.pod.name"] });
  });

  it("one signal for 30 followed streams: no listener warning, and aborting ends them all", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const e = engine();
      const controller = new AbortController();
      const followed = Array.from({ length: 30 }, async () => {
        let n = 0;
        for await (const _ of e.events([], controller.signal)) n++;
        return n;
      });
      for (let i = 0; i < 500 && hanging.length < 30; i++) await sleep(10);
      expect(hanging).toHaveLength(30);
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      controller.abort();
      expect(await Promise.all(followed)).toEqual(Array(30).fill(1));
      await sleep(10);
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("past events: `until` is now to the millisecond, not the next second", async () => {
    const before = Date.now();
    const events = await engine().pastEvents(["dev.pod.name=web"], before - 60_000);
    const after = Date.now();
    expect(events.map((e) => e.action)).toEqual(["die"]);
    const q = new URL(seen[0]!.url, "http://x").searchParams;
    expect(q.get("until")).toMatch(/^\d+\.\d{3}$/);
    const until = Number(q.get("until")) * 1000;
    expect(until).toBeGreaterThanOrEqual(before);
    expect(until).toBeLessThanOrEqual(after);
    expect(q.get("since")).toBe(String(Math.floor((before - 60_000) / 1000)));
  });
});

describe("registries", () => {
  const auth = Buffer.from(JSON.stringify({ username: "ci", password: "hunter2-s3cret" })).toString("base64url");

  it("pull: fromImage and tag, the auth as X-Registry-Auth only, progress line by line", async () => {
    const progress: unknown[] = [];
    await engine().pull("127.0.0.1:5000/team/web:1.0", auth, (p) => progress.push(p));
    expect(progress).toEqual([
      { id: "1.0", status: "Pulling from team/web", current: null, total: null },
      { id: "a1", status: "Downloading", current: 5, total: 10 },
      { id: "", status: "Digest: sha256:ab", current: null, total: null },
    ]);
    expect(seen[0]!.url).toBe("/images/create?fromImage=127.0.0.1%3A5000%2Fteam%2Fweb&tag=1.0");
    expect(seen[0]!.headers["x-registry-auth"]).toBe(auth);
  });

  it("an error line in the pull's stream is an ImagePullError, without the auth", async () => {
    const err = await rejection(engine().pull("127.0.0.1:5000/team/web:bad", auth, () => {}));
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as ImagePullError).kind).toBe("not-found");
    expect(err.message).toMatch(/^127\.0\.0\.1:5000\/team\/web:bad is not found in 127\.0\.0\.1:5000/);
    expect(err.message).not.toContain(auth);
  });

  it("distribution: the registry's digest; a refusal is an ImagePullError", async () => {
    expect(await engine().distribution("127.0.0.1:5000/team/web:1.0", auth)).toEqual({ digest: "sha256:dd" });
    expect(seen[0]!.url).toBe("/distribution/127.0.0.1%3A5000%2Fteam%2Fweb%3A1.0/json");
    const err = await rejection(engine().distribution("127.0.0.1:5000/team/web:1.0", null));
    expect(err).toBeInstanceOf(ImagePullError);
    expect((err as ImagePullError).kind).toBe("unauthorized");
  });

  it("distribution on an engine without the endpoint (Podman 4.3's 404 about the path): null, not a missing image", async () => {
    expect(await engine().distribution("127.0.0.1:5000/podman/web:1.0", auth)).toBeNull();
  });
});

describe("label-only images", () => {
  const labels = { quotes: `"'\``, backslashes: "\\ \\\\ \\n", newlines: "a\nb\r\nc", unicode: "é 漢字 🚀 \u0000 \u2028", empty: "", big: "x".repeat(1024 * 1024) };

  it("the config is JSON: every value round-trips exactly; the id is its sha256", () => {
    const { config, id } = labelledImageConfig(labels, new Date("2026-01-01T00:00:00Z"));
    const parsed = JSON.parse(config.toString("utf8")) as { config: { Labels: Record<string, string> }; os: string; rootfs: unknown; created: string };
    expect(parsed.config.Labels).toEqual(labels);
    expect(parsed).toMatchObject({ os: "linux", rootfs: { type: "layers", diff_ids: [] }, created: "2026-01-01T00:00:00.000Z" });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("the archive: the config and a manifest that tags it, no layer", async () => {
    const archive = await labelledImageArchive("pod-record:web", { a: "b" }, new Date(0));
    const files: Record<string, string> = {};
    const x = extract();
    x.on("entry", (header: { name: string }, stream: NodeJS.ReadableStream, next: () => void) => {
      let text = "";
      stream.on("data", (c: Buffer) => (text += c.toString()));
      stream.on("end", () => ((files[header.name] = text), next()));
    });
    const done = once(x, "finish");
    (x as unknown as Writable).end(archive);
    await done;
    const { id } = labelledImageConfig({ a: "b" }, new Date(0));
    const configName = `${id.slice(7)}.json`;
    expect(Object.keys(files).sort()).toEqual([configName, "manifest.json"].sort());
    expect(JSON.parse(files["manifest.json"]!)).toEqual([{ Config: configName, RepoTags: ["pod-record:web"], Layers: [] }]);
  });
});

describe("tcp and TLS", () => {
  it("plain http, with the host's base path", async () => {
    await engine({ host: `tcp://127.0.0.1:${tcpPort}/base`, tls: null, context: "default", source: "default" }).listContainers([]);
    expect(seen[0]!.url).toMatch(/^\/base\/containers\/json\?/);
    expect(seen[0]!.headers.host).toBe(`127.0.0.1:${tcpPort}`);
  });

  const openssl = spawnSync("openssl", ["version"]).status === 0;
  describe.skipIf(!openssl)(`TLS${openssl ? "" : " (skipped: no openssl to make certificates)"}`, () => {
    const pki = join(dir, "pki");
    const pem = (name: string) => readFileSync(join(pki, name), "utf8");
    let server: Server;
    let port = 0;
    let last: { authorized: boolean; client: string | null } | null = null;
    const endpoint = (tls: Endpoint["tls"]): Endpoint => ({ host: `tcp://127.0.0.1:${port}`, tls, context: "t", source: "default" });

    beforeAll(async () => {
      execFileSync("mkdir", ["-p", pki]);
      const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
      const run = (...args: string[]) => execFileSync("openssl", args, { cwd: pki, stdio: "pipe" });
      run("req", "-x509", ...ec, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "1", "-subj", "/CN=pod test CA");
      for (const [name, ext] of [
        ["server", "subjectAltName=IP:127.0.0.1"],
        ["client", "extendedKeyUsage=clientAuth"],
      ] as const) {
        writeFileSync(join(pki, `${name}.ext`), ext + "\n");
        run("req", ...ec, "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
        run("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", `${name}.pem`, "-days", "1", "-extfile", `${name}.ext`);
      }
      server = createTlsServer({ key: pem("server-key.pem"), cert: pem("server.pem"), ca: pem("ca.pem"), requestCert: true, rejectUnauthorized: false }, (req, res) => {
        const socket = req.socket as TLSSocket;
        const cn = socket.getPeerCertificate().subject?.CN;
        last = { authorized: socket.authorized, client: (Array.isArray(cn) ? cn[0] : cn) ?? null };
        json(res, 200, []);
      });
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as AddressInfo).port;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it("verifies the engine against the CA and presents the client certificate", async () => {
      await engine(endpoint({ ca: pem("ca.pem"), cert: pem("client.pem"), key: pem("client-key.pem"), verify: true })).listContainers([]);
      expect(last).toEqual({ authorized: true, client: "client" });
    });

    it("without verification, any certificate will do", async () => {
      await engine(endpoint({ ca: null, cert: null, key: null, verify: false })).listContainers([]);
      expect(last).toEqual({ authorized: false, client: null });
    });

    it("an engine certificate that does not verify is a TLS failure, named", async () => {
      const err = await rejection(engine(endpoint({ ca: null, cert: null, key: null, verify: true })).listContainers([]));
      expect(err).toBeInstanceOf(EngineUnreachableError);
      expect(err.message).toMatch(new RegExp(`^TLS with the engine at tcp://127.0.0.1:${port} failed \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE): `));
    });
  });
});

/** docker.ts bundled as pod ships it (scripts/bundle.mjs's stand-ins), for child processes. */
let bundled: Promise<string> | null = null;
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import("esbuild");
    const { standIns, banner } = (await import(new URL("../../../scripts/bundle.mjs", import.meta.url).href)) as { standIns: object; banner: { js: string } };
    const outdir = join(dir, "bundle");
    await build({
      entryPoints: [new URL("../../../src/engine/docker.ts", import.meta.url).pathname],
      bundle: true,
      platform: "node",
      format: "esm",
      splitting: true,
      outdir,
      plugins: [standIns as never],
      banner,
      logLevel: "silent",
    });
    return join(outdir, "docker.js");
  })();
  return bundled;
}

async function runChild(script: string, o: { uid?: number } = {}): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"], ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}) });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  const [code] = (await once(child, "exit")) as [number];
  return { code, out };
}

describe("as pod ships it (bundled)", () => {
  it("a socket pod may not open: EACCES, with a hint about permissions", async () => {
    // As root, connect as nobody: root opens any socket.
    const root = process.getuid?.() === 0;
    const locked = join(dir, "locked.sock");
    const server = createServer().listen(locked);
    await once(server, "listening");
    chmodSync(dir, 0o755);
    if (!root) chmodSync(locked, 0o000);
    const bundlePath = await bundle();
    chmodSync(join(dir, "bundle"), 0o755);
    const script = `
      const { DockerEngine } = await import(${JSON.stringify(bundlePath)});
      const engine = new DockerEngine({ host: "unix://${locked}", tls: null, context: "default", source: "default" });
      try { await engine.listContainers([]); console.log("{}"); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, hint: e.hint, exitCode: e.exitCode })); }
    `;
    const { code, out } = await runChild(script, root ? { uid: 65534 } : {});
    await new Promise((r) => server.close(r));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ name: "EngineUnreachableError", message: `no Docker engine answers at unix://${locked} (EACCES)`, hint: expect.stringMatching(/docker group/), exitCode: 3 });
  });

  it("exits at once after its calls, without close(); a redirect is not followed there either; a build packs its context", async () => {
    const context = join(dir, "context");
    execFileSync("mkdir", ["-p", context]);
    writeFileSync(join(context, "Dockerfile"), "FROM scratch\n");
    writeFileSync(join(context, "left-out"), "x");
    const script = `
      const { DockerEngine } = await import(${JSON.stringify(await bundle())});
      const engine = new DockerEngine({ host: "unix://${socketPath}", tls: null, context: "default", source: "default" });
      await engine.listContainers([]);
      const info = await engine.info();
      let redirect = null;
      try { await engine.image("../x"); } catch (e) { redirect = { name: e.name, statusCode: e.statusCode }; }
      await engine.buildImage(${JSON.stringify(context)}, ["Dockerfile"], "good:1");
      let build = null;
      try { await engine.buildImage(${JSON.stringify(context)}, ["Dockerfile"], "bad:1"); } catch (e) { build = e.message; }
      console.log(JSON.stringify({ engine: info.engine, redirect, build }));
    `;
    const started = Date.now();
    const { code, out } = await runChild(script);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ engine: "podman", redirect: { name: "EngineError", statusCode: 301 }, build: "build image bad:1: dockerfile parse error line 1: unknown instruction: FORM" });
    const build = seen.find((s) => s.url.startsWith("/build?t=good"))!;
    expect(build.url).toBe("/build?t=good%3A1&rm=true&forcerm=true");
    expect(build.body.toString("latin1")).toContain("Dockerfile");
    expect(build.body.toString("latin1")).not.toContain("left-out");
    expect(seen.filter((s) => s.url === "/x/json")).toEqual([]);
    // Kept-alive sockets are unref'd when idle: the process does not wait for them.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
