// The Engine API client against real node:http servers: a unix socket in a temp dir, plain
// tcp, and TLS with certificates made here by openssl.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { getEventListeners, once } from "node:events";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "../../../src/engine/endpoint.js";
import { demux, DemuxStream, EngineHttp, type Frame } from "../../../src/engine/http.js";
import { EngineError, EngineUnreachableError } from "../../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "pod-http-"));
const socketPath = join(dir, "engine.sock");
const unix = (path = socketPath): Endpoint => ({ host: `unix://${path}`, tls: null, context: "default", source: "default" });

function frame(stream: number, text: string): Buffer {
  const data = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, data]);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Api-Version": "1.41" });
  res.end(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the streaming route waits for before sending its last frame. */
let releaseLast: () => void = () => {};
const hanging: ServerResponse[] = [];
const upgradeBodies: string[] = [];
let connections = 0;
const opened: Socket[] = [];

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const text = await body(req);
  switch (url.pathname.replace(/^\/base/, "")) {
    case "/echo":
      return json(res, 200, { method: req.method, url: req.url, headers: req.headers, body: text });
    case "/_ping":
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Api-Version": "1.41" });
      return void res.end("OK");
    case "/empty":
      res.writeHead(204);
      return void res.end();
    case "/not-modified":
      res.writeHead(304);
      return void res.end();
    case "/containers/nope/json":
      return json(res, 404, { message: "No such container: nope" });
    case "/text-error":
      res.writeHead(500, { "Content-Type": "text/plain" });
      return void res.end("boom\n");
    case "/bad-json":
      res.writeHead(200, { "Content-Type": "application/json" });
      return void res.end("{");
    case "/logs": {
      // Frames cut at awkward places; the last one only once the client has the others.
      const gate = new Promise<void>((r) => (releaseLast = r));
      res.writeHead(200, { "Content-Type": "application/vnd.docker.multiplexed-stream" });
      // Frames at bytes 0-19, 19-36, 36-49: cuts inside a header (5, 40), inside data (11, 30, 46).
      const all = Buffer.concat([frame(1, "first line\n"), frame(2, "an error\n"), frame(1, "last\n")]);
      const send = async (from: number, to: number) => {
        res.write(all.subarray(from, to));
        await sleep(15);
      };
      await send(0, 5);
      await send(5, 11);
      await send(11, 30);
      await send(30, 40);
      await gate;
      await send(40, 46);
      return void res.end(all.subarray(46));
    }
    case "/forever":
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"status":"start"}\n');
      hanging.push(res);
      return;
    case "/hang":
      hanging.push(res);
      return;
    default:
      return json(res, 404, { message: "page not found" });
  }
}

/** Docker's hijack: read the request's body, answer 101, then the raw stream (here, an echo). */
function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  if (req.url?.startsWith("/exec/missing/")) {
    const text = '{"message":"No such exec instance: missing"}';
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    return;
  }
  const length = Number(req.headers["content-length"] ?? 0);
  let received = head;
  const answer = () => {
    upgradeBodies.push(received.subarray(0, length).toString("utf8"));
    socket.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello:");
    socket.pipe(socket);
  };
  if (received.length >= length) return answer();
  const more = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (received.length < length) return;
    socket.off("data", more);
    answer();
  };
  socket.on("data", more);
}

function serve(server: Server): Server {
  server.on("request", (req, res) => void handle(req, res));
  server.on("upgrade", handleUpgrade);
  server.on("connection", (s: Socket) => {
    connections++;
    opened.push(s);
  });
  return server;
}

const unixServer = serve(createServer());
const tcpServer = serve(createServer());
let tcpPort = 0;
const clients: EngineHttp[] = [];
const client = (e: Endpoint = unix()) => {
  const c = new EngineHttp(e);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  unixServer.listen(socketPath);
  tcpServer.listen(0, "127.0.0.1");
  await Promise.all([once(unixServer, "listening"), once(tcpServer, "listening")]);
  tcpPort = (tcpServer.address() as AddressInfo).port;
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const res of hanging.splice(0)) res.destroy();
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

describe("requests and answers", () => {
  it("sends JSON and parses the JSON answer", async () => {
    const { status, body, headers } = await client().request<{ method: string; headers: Record<string, string>; body: string }>("POST", "/echo", { body: { Image: "alpine", Env: ["A=é"] } });
    expect(status).toBe(200);
    expect(headers["api-version"]).toBe("1.41");
    expect(body.method).toBe("POST");
    expect(JSON.parse(body.body)).toEqual({ Image: "alpine", Env: ["A=é"] });
    expect(body.headers).toMatchObject({ "content-type": "application/json", "content-length": String(Buffer.byteLength(body.body)), host: "docker", "user-agent": "pod" });
  });

  it("sends a raw buffer as is, with the caller's headers", async () => {
    const { body } = await client().request<{ body: string; headers: Record<string, string> }>("POST", "/echo", { raw: Buffer.from("tar bytes"), headers: { "Content-Type": "application/x-tar" } });
    expect(body.body).toBe("tar bytes");
    expect(body.headers["content-type"]).toBe("application/x-tar");
  });

  it("encodes the query as docker reads it", async () => {
    const { body } = await client().request<{ url: string }>("GET", "/echo", {
      query: { all: true, size: false, limit: 5, filters: { label: ["pod.name=web", "pod.role"], status: ["running"] }, t: ["a:1", "b:2"], skipped: undefined, name: "a b&c" },
    });
    const url = new URL(body.url, "http://x");
    expect(url.pathname).toBe("/echo");
    expect(url.searchParams.get("all")).toBe("1");
    expect(url.searchParams.get("size")).toBe("0");
    expect(url.searchParams.get("limit")).toBe("5");
    expect(JSON.parse(url.searchParams.get("filters")!)).toEqual({ label: ["pod.name=web", "pod.role"], status: ["running"] });
    expect(url.searchParams.getAll("t")).toEqual(["a:1", "b:2"]);
    expect(url.searchParams.has("skipped")).toBe(false);
    expect(url.searchParams.get("name")).toBe("a b&c");
  });

  it("returns a text answer as text, and an empty one as null", async () => {
    expect((await client().request("GET", "/_ping")).body).toBe("OK");
    expect(await client().request("GET", "/empty")).toMatchObject({ status: 204, body: null });
    expect(await client().request("HEAD", "/_ping")).toMatchObject({ status: 200, body: null });
  });

  it("turns an error status into an EngineError with the engine's message", async () => {
    const err = await rejection(client().request("GET", "/containers/nope/json"));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe("GET /containers/nope/json: No such container: nope");
    expect((err as EngineError).statusCode).toBe(404);
    expect((err as EngineError).exitCode).toBe(1);
    expect((await rejection(client().request("DELETE", "/text-error"))).message).toBe("DELETE /text-error: boom");
  });

  it("answers statuses listed in `ok` instead of failing; 304 is never an error", async () => {
    expect(await client().request("GET", "/containers/nope/json", { ok: [404] })).toMatchObject({ status: 404, body: { message: "No such container: nope" } });
    expect(await client().request("POST", "/not-modified")).toMatchObject({ status: 304, body: null });
  });

  it("refuses an answer that claims JSON and is not", async () => {
    expect((await rejection(client().request("GET", "/bad-json"))).message).toBe("GET /bad-json: the engine's answer is not valid JSON");
  });

  it("keeps one connection alive across calls; close() ends it", async () => {
    const c = client();
    const before = opened.length;
    for (let i = 0; i < 3; i++) await c.request("GET", "/_ping");
    const mine = opened.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.closed).toBe(false);
    c.close();
    await sleep(50);
    expect(mine[0]!.closed).toBe(true);
  });
});

describe("engine unreachable", () => {
  it("a missing socket", async () => {
    const missing = join(dir, "missing.sock");
    const err = await rejection(client(unix(missing)).request("GET", "/_ping"));
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe(`no Docker engine answers at unix://${missing} (ENOENT)`);
    expect((err as EngineUnreachableError).exitCode).toBe(3);
    expect((err as EngineUnreachableError).hint).toMatch(/DOCKER_HOST, --host or --context/);
  });

  it("a refused tcp connection", async () => {
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await rejection(client({ host: `tcp://127.0.0.1:${port}`, tls: null, context: "default", source: "default" }).request("GET", "/_ping"));
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe(`no Docker engine answers at tcp://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it("an engine that does not answer in time", async () => {
    const err = await rejection(client().request("GET", "/hang", { timeoutMs: 100 }));
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toMatch(/\(ETIMEDOUT\)$/);
  });

  it("ssh: docker-modem's agent loads only now, and a refused login is unreachable", async () => {
    const probe = createServer().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await rejection(client({ host: `ssh://nobody@127.0.0.1:${port}`, tls: null, context: "default", source: "default" }).request("GET", "/_ping"));
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toBe(`no Docker engine answers at ssh://nobody@127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe("streams", () => {
  it("hands frames over as they arrive, frames cut across chunks made whole", async () => {
    const res = await client().stream("GET", "/logs", { query: { follow: true, stdout: true, stderr: true } });
    const got: Frame[] = [];
    for await (const f of DemuxStream.frames(res)) {
      got.push(f);
      // The server sends the last frame only after this: reading all first would hang.
      if (got.length === 2) releaseLast();
    }
    expect(got.map((f) => [f.stream, f.data.toString()])).toEqual([
      [1, "first line\n"],
      [2, "an error\n"],
      [1, "last\n"],
    ]);
  });

  it("rejects an error status with the engine's message", async () => {
    const err = await rejection(client().stream("GET", "/containers/nope/json"));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe("GET /containers/nope/json: No such container: nope");
  });

  it("upgrades: a hijacked connection after 101, both ways", async () => {
    const socket = await client().upgrade("POST", "/exec/abc/start", { body: { Detach: false, Tty: true } });
    const received: Buffer[] = [];
    socket.on("data", (c: Buffer) => received.push(c));
    socket.write("ping\n");
    for (let i = 0; i < 50 && Buffer.concat(received).toString() !== "hello:ping\n"; i++) await sleep(10);
    expect(Buffer.concat(received).toString()).toBe("hello:ping\n");
    expect(upgradeBodies.at(-1)).toBe('{"Detach":false,"Tty":true}');
    socket.destroy();
  });

  it("an upgrade the engine refuses is an EngineError", async () => {
    const err = await rejection(client().upgrade("POST", "/exec/missing/start", { body: {} }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err.message).toBe("POST /exec/missing/start: No such exec instance: missing");
  });
});

describe("abort", () => {
  it("before the answer: rejects with an AbortError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(client().request("GET", "/hang", { signal: controller.signal }));
    expect(err.name).toBe("AbortError");
  });

  it("an already aborted signal sends nothing", async () => {
    const before = connections;
    const err = await rejection(client().request("GET", "/echo", { signal: AbortSignal.abort() }));
    expect(err.name).toBe("AbortError");
    expect(connections).toBe(before);
  });

  it("one signal for many calls: one listener, gone when they are; aborting stops them all", async () => {
    const c = client();
    const controller = new AbortController();
    const { signal } = controller;
    await Promise.all(Array.from({ length: 30 }, () => c.request("GET", "/_ping", { signal })));
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    const calls = Array.from({ length: 30 }, () => rejection(c.request("GET", "/hang", { signal })));
    for (let i = 0; i < 100 && hanging.length < 30; i++) await sleep(10);
    expect(hanging).toHaveLength(30);
    expect(getEventListeners(signal, "abort")).toHaveLength(1);
    controller.abort();
    expect((await Promise.all(calls)).map((e) => e.name)).toEqual(Array(30).fill("AbortError"));
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("an upgraded connection closes on abort", async () => {
    const controller = new AbortController();
    const socket = await client().upgrade("POST", "/exec/abc/start", { body: {}, signal: controller.signal });
    controller.abort();
    await once(socket, "close");
    expect(socket.destroyed).toBe(true);
  });

  it("mid-stream: the reader stops with an AbortError", async () => {
    const controller = new AbortController();
    const res = await client().stream("GET", "/forever", { signal: controller.signal });
    const err = await rejection(
      (async () => {
        for await (const chunk of res) {
          expect(String(chunk)).toContain("start");
          controller.abort();
        }
      })(),
    );
    expect(err.name).toBe("AbortError");
  });
});

describe("tcp", () => {
  it("plain http, with the host's base path", async () => {
    const { body } = await client({ host: `tcp://127.0.0.1:${tcpPort}/base`, tls: null, context: "default", source: "default" }).request<{ url: string; headers: Record<string, string> }>("GET", "/echo", { query: { all: true } });
    expect(body.url).toBe("/base/echo?all=1");
    expect(body.headers.host).toBe(`127.0.0.1:${tcpPort}`);
  });
});

const openssl = spawnSync("openssl", ["version"]).status === 0;

describe.skipIf(!openssl)(`TLS${openssl ? "" : " (skipped: no openssl to make certificates)"}`, () => {
  const pki = join(dir, "pki");
  const pem = (name: string) => readFileSync(join(pki, name), "utf8");
  let server: Server;
  let port = 0;
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
      json(res, 200, { authorized: socket.authorized, client: socket.getPeerCertificate().subject?.CN ?? null });
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
    const { body } = await client(endpoint({ ca: pem("ca.pem"), cert: pem("client.pem"), key: pem("client-key.pem"), verify: true })).request("GET", "/info");
    expect(body).toEqual({ authorized: true, client: "client" });
  });

  it("without verification, any certificate will do", async () => {
    const { body } = await client(endpoint({ ca: null, cert: null, key: null, verify: false })).request("GET", "/info");
    expect(body).toEqual({ authorized: false, client: null });
  });

  it("an engine certificate that does not verify is a TLS failure, named", async () => {
    const err = await rejection(client(endpoint({ ca: null, cert: null, key: null, verify: true })).request("GET", "/info"));
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect(err.message).toMatch(new RegExp(`^TLS with the engine at tcp://127.0.0.1:${port} failed \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE): `));
    expect((err as EngineUnreachableError).hint).toMatch(/ca.pem/);
  });
});

describe("demultiplexing", () => {
  const framed = Buffer.concat([frame(1, "out\n"), frame(2, "err\n"), frame(0, "in"), frame(3, "engine says no"), frame(1, "")]);

  it("demux: frames in order, each stream joined", () => {
    const { stdout, stderr, frames } = demux(framed);
    expect(stdout).toBe("out\nin");
    expect(stderr).toBe("err\nengine says no");
    expect(frames.map((f) => f.stream)).toEqual([1, 2, 1, 2, 1]);
  });

  it("DemuxStream: the same frames, fed one byte at a time", () => {
    const d = new DemuxStream();
    const got: Frame[] = [];
    for (let i = 0; i < framed.length; i++) got.push(...d.push(framed.subarray(i, i + 1)));
    got.push(...d.end());
    expect(got.map((f) => [f.stream, f.data.toString()])).toEqual(demux(framed).frames.map((f) => [f.stream, f.data.toString()]));
  });

  it("a terminal's unframed output passes through, at once when the first byte tells", () => {
    const d = new DemuxStream();
    expect(d.push(Buffer.from("$ ")).map((f) => f.data.toString())).toEqual(["$ "]);
    expect(demux(Buffer.from("plain text")).stdout).toBe("plain text");
    expect(new DemuxStream({ tty: true }).push(Buffer.from([1, 0])).map((f) => [...f.data])).toEqual([[1, 0]]);
  });

  it("bytes that could be a header wait, and end() gives them back", () => {
    const d = new DemuxStream();
    expect(d.push(Buffer.from([1, 0, 0]))).toEqual([]);
    expect(d.end().map((f) => [...f.data])).toEqual([[1, 0, 0]]);
  });

  it("end() gives a cut-off frame's data", () => {
    const d = new DemuxStream({ tty: false });
    const f = frame(2, "truncated");
    expect(d.push(f.subarray(0, 12))).toEqual([]);
    expect(d.end().map((x) => [x.stream, x.data.toString()])).toEqual([[2, "trun"]]);
  });
});

/** http.ts bundled by esbuild, for child processes (as pod ships it). */
let bundled: Promise<string> | null = null;
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import("esbuild");
    const out = join(dir, "http.mjs");
    await build({ entryPoints: [new URL("../../../src/engine/http.ts", import.meta.url).pathname], bundle: true, platform: "node", format: "esm", outfile: out, external: ["docker-modem", "docker-modem/*"], logLevel: "silent" });
    return out;
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

describe("a CLI process", () => {
  it("a socket pod may not open: EACCES, with a hint about permissions", async () => {
    // As root, connect as nobody: root opens any socket.
    const root = process.getuid?.() === 0;
    const locked = join(dir, "locked.sock");
    const server = createServer().listen(locked);
    await once(server, "listening");
    chmodSync(dir, 0o755);
    if (!root) chmodSync(locked, 0o000);
    const script = `
      const { EngineHttp } = await import(${JSON.stringify(await bundle())});
      const http = new EngineHttp({ host: "unix://${locked}", tls: null, context: "default", source: "default" });
      try { await http.request("GET", "/_ping"); console.log("{}"); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, hint: e.hint, exitCode: e.exitCode })); }
    `;
    const { code, out } = await runChild(script, root ? { uid: 65534 } : {});
    await new Promise((r) => server.close(r));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      name: "EngineUnreachableError",
      message: `no Docker engine answers at unix://${locked} (EACCES)`,
      hint: expect.stringMatching(/docker group/),
      exitCode: 3,
    });
  });

  it("exits at once after its calls, without close(), and never loads ssh2", async () => {
    const script = `
      import { createRequire } from "node:module";
      const { EngineHttp } = await import(${JSON.stringify(await bundle())});
      const http = new EngineHttp({ host: "unix://${socketPath}", tls: null, context: "default", source: "default" });
      await http.request("GET", "/_ping");
      await http.request("GET", "/echo");
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("ssh2"));
      console.log(JSON.stringify({ loaded }));
    `;
    const started = Date.now();
    const { code, out } = await runChild(script);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ loaded: [] });
    // Kept-alive sockets are unref'd when idle: the process does not wait for them.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
