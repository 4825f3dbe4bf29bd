// A small client of the Docker Engine API over node:http, so pod's hot path loads no
// dockerode (0.3 s at import: ssh2, grpc, protobufjs). node:https loads only for TLS hosts
// (6 ms), ssh2 only for ssh:// hosts.
//
// API version: paths carry no /vX.Y prefix, so the engine answers in its own current version
// (the Api-Version header of every answer, /_ping's included). Every engine from 20.10 (1.41)
// to 29 accepts that, while any fixed prefix is refused by engines whose minimum is above it
// (29: 1.44) or maximum below it, and negotiating costs a /_ping per command. The API docs
// call unprefixed paths deprecated: if an engine ever refuses them, negotiate here, once.
import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions as NodeRequestOptions } from "node:http";
import type { Duplex } from "node:stream";
import { EngineError, EngineUnreachableError, PodError, UsageError } from "../errors.js";
import type { Endpoint } from "./endpoint.js";

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: IncomingHttpHeaders;
}

/** Booleans go as 1/0; string[] as a repeated key (`t`, `names`); objects (`filters`) as JSON. */
export type QueryValue = string | number | boolean | string[] | Record<string, string[]> | Record<string, string> | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (a build context); a stream goes chunked. */
  raw?: Buffer | NodeJS.ReadableStream;
  headers?: Record<string, string>;
  /** Statuses >= 400 that are answers, not errors (e.g. 404). */
  ok?: number[];
  signal?: AbortSignal;
  /** For request(): until the whole answer is read; for stream() and upgrade(): until it starts. 0 or absent: no limit. */
  timeoutMs?: number;
}

/** One frame of a multiplexed stream: 1 stdout, 2 stderr. */
export interface Frame {
  stream: 1 | 2;
  data: Buffer;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ENOTSOCK", "ECONNABORTED"]);
const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

function encodeQuery(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else if (typeof value === "object") params.set(key, JSON.stringify(value));
    else if (typeof value === "boolean") params.set(key, value ? "1" : "0");
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("the operation was aborted"), { name: "AbortError", code: "ABORT_ERR", cause: signal.reason as unknown });
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Transport {
  request: typeof httpRequest;
  options: NodeRequestOptions;
  /** The tcp host's base path, e.g. "/docker" for tcp://h:2375/docker. */
  prefix: string;
  agent(): Agent;
  /** Each request has its own agent (ssh): forget it when the request is over. */
  oneShot?: boolean;
}

/** whole: the timeout covers reading the answer; head: until it starts; upgrade: until the 101. */
type Mode = "whole" | "head" | "upgrade";

export class EngineHttp {
  /** endpoint.host, for messages. */
  readonly address: string;
  private transport: Promise<Transport> | null = null;
  private readonly agents = new Set<Agent>();
  private readonly watchers = new Map<AbortSignal, { stops: Set<() => void>; listener: () => void }>();

  constructor(private readonly endpoint: Endpoint) {
    this.address = endpoint.host;
  }

  /** A JSON answer parsed (empty: null), any other answer as text. */
  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.withRetry(method, o, async () => {
      const res = await this.open(method, path, o, "whole");
      const status = res.statusCode ?? 0;
      const text = (await readAll(res)).toString("utf8");
      if (status >= 400 && !(o.ok ?? []).includes(status)) throw failure(method, path, status, text);
      let body: unknown = text === "" ? null : text;
      if (text !== "" && /json/i.test(String(res.headers["content-type"] ?? ""))) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new EngineError(`${method} ${path}: the engine's answer is not valid JSON`, undefined, status);
        }
      }
      return { status, body: body as T, headers: res.headers };
    });
  }

  /** The answer as it arrives (logs with follow, events, stats, build output). */
  async stream(method: string, path: string, o: RequestOptions = {}): Promise<IncomingMessage> {
    return this.withRetry(method, o, async () => {
      const res = await this.open(method, path, o, "head");
      const status = res.statusCode ?? 0;
      if (status >= 400 && !(o.ok ?? []).includes(status)) throw failure(method, path, status, (await readAll(res)).toString("utf8"));
      return res;
    });
  }

  /** A hijacked connection (exec with stdin or a terminal, attach): the raw socket after 101. */
  async upgrade(method: string, path: string, o: RequestOptions = {}): Promise<Duplex> {
    return this.withRetry(method, o, () => this.open(method, path, o, "upgrade"));
  }

  /** Destroys idle keep-alive sockets. (Idle ones are unref'd and never hold the process anyway.) */
  close(): void {
    for (const agent of this.agents) agent.destroy();
  }

  /**
   * Runs `stop` when `signal` aborts, until the returned release is called. One listener per
   * signal however many calls share it (Node warns past 10), removed when none is left.
   */
  private watch(signal: AbortSignal, stop: () => void): () => void {
    let w = this.watchers.get(signal);
    if (!w) {
      const stops = new Set<() => void>();
      const listener = () => {
        this.watchers.delete(signal);
        for (const f of stops) f();
      };
      w = { stops, listener };
      this.watchers.set(signal, w);
      signal.addEventListener("abort", listener, { once: true });
    }
    const { stops, listener } = w;
    stops.add(stop);
    return () => {
      if (!stops.delete(stop) || stops.size > 0 || this.watchers.get(signal)?.stops !== stops) return;
      this.watchers.delete(signal);
      signal.removeEventListener("abort", listener);
    };
  }

  /** Errors become PodErrors; a GET on a kept-alive socket the engine had closed is sent again, once. */
  private async withRetry<T>(method: string, o: RequestOptions, attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (tries === 0 && (err as { staleSocket?: boolean }).staleSocket && (method === "GET" || method === "HEAD") && !o.signal?.aborted) continue;
        throw this.fault(err as NodeJS.ErrnoException, o.signal);
      }
    }
  }

  private fault(err: NodeJS.ErrnoException & { level?: string }, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return abortError(signal);
    if (err instanceof PodError) return err;
    const code = err.code ?? "";
    if (UNREACHABLE.has(code)) {
      const hint =
        code === "EACCES"
          ? "pod may not open the engine's socket: run it as root or as a member of the docker group (see the socket's owner and mode)"
          : "start one (`make build` in pod's checkout installs and starts Debian's docker.io), or point DOCKER_HOST, --host or --context at a running engine";
      const from = this.endpoint.source === "default" ? "" : `; from ${this.endpoint.source}`;
      return new EngineUnreachableError(`no Docker engine answers at ${this.address} (${code}${from})`, hint);
    }
    if (TLS_FAILURE.test(code)) {
      return new EngineUnreachableError(
        `TLS with the engine at ${this.address} failed (${code}: ${err.message})`,
        "check the engine's certificate against ca.pem (DOCKER_CERT_PATH or the context's TLS files)",
      );
    }
    // ssh2 tags its errors with a level: client-socket, client-timeout, client-authentication, protocol.
    if (this.address.startsWith("ssh://") && err.level) {
      return new EngineUnreachableError(
        `no Docker engine answers at ${this.address} (${err.message})`,
        "pod logs in with the keys of your ssh-agent (SSH_AUTH_SOCK); the remote user must be able to run `docker system dial-stdio`",
      );
    }
    return err;
  }

  private connect(): Promise<Transport> {
    this.transport ??= this.makeTransport().catch((err: unknown) => {
      this.transport = null;
      throw err;
    });
    return this.transport;
  }

  private keepAlive(agent: Agent): () => Agent {
    this.agents.add(agent);
    return () => agent;
  }

  private async makeTransport(): Promise<Transport> {
    const host = this.endpoint.host;
    if (host.startsWith("unix://")) {
      // Several calls per command: one connection, kept alive.
      const agent = new Agent({ keepAlive: true });
      return { request: httpRequest, options: { socketPath: host.slice("unix://".length), headers: { Host: "docker" } }, prefix: "", agent: this.keepAlive(agent) };
    }
    if (host.startsWith("tcp://")) {
      const m = /^tcp:\/\/(\[[^\]]*\]|[^:/]*):(\d+)(\/.*)?$/.exec(host);
      if (!m) throw new UsageError(`cannot read the engine address ${host}`, "expected tcp://host:port");
      const options = { host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2]) };
      const tls = this.endpoint.tls;
      if (!tls) return { request: httpRequest, options, prefix: m[3] ?? "", agent: this.keepAlive(new Agent({ keepAlive: true })) };
      const https = await import("node:https");
      // A client certificate only as a pair; without a CA, the system's roots.
      const pair = tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {};
      const agent = new https.Agent({ keepAlive: true, ...(tls.ca ? { ca: tls.ca } : {}), ...pair, rejectUnauthorized: tls.verify });
      return { request: https.request as unknown as typeof httpRequest, options, prefix: m[3] ?? "", agent: this.keepAlive(agent as unknown as Agent) };
    }
    if (host.startsWith("ssh://")) {
      const url = new URL(host);
      // Only ssh hosts pay for ssh2. docker-modem's agent runs `docker system dial-stdio` on the
      // remote; it serves one connection per ssh login, so each request gets its own (as in docker-modem).
      const { default: sshAgent } = await import("docker-modem/lib/ssh.js");
      const login = { host: url.hostname, port: url.port ? Number(url.port) : 22, ...(url.username ? { username: decodeURIComponent(url.username) } : {}), agent: process.env.SSH_AUTH_SOCK };
      const agent = () => {
        const a = sshAgent(login);
        this.agents.add(a);
        return a;
      };
      return { request: httpRequest, options: { headers: { Host: "docker" } }, prefix: "", agent, oneShot: true };
    }
    throw new UsageError(`pod cannot reach an engine at ${host}`, "use unix:///path, tcp://host:port or ssh://user@host");
  }

  /** Sends one request; resolves at the answer's head, or for an upgrade with the socket after the 101. */
  private async open(method: string, path: string, o: RequestOptions, mode: "whole" | "head"): Promise<IncomingMessage>;
  private async open(method: string, path: string, o: RequestOptions, mode: "upgrade"): Promise<Duplex>;
  private async open(method: string, path: string, o: RequestOptions, mode: Mode): Promise<IncomingMessage | Duplex> {
    const upgrade = mode === "upgrade";
    if (o.signal?.aborted) throw abortError(o.signal);
    const t = await this.connect();
    if (o.signal?.aborted) throw abortError(o.signal);
    const json = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const body = json ?? (Buffer.isBuffer(o.raw) ? o.raw : undefined);
    const agent = t.agent();
    const req: ClientRequest = t.request({
      ...t.options,
      agent,
      method,
      path: t.prefix + path + encodeQuery(o.query),
      headers: {
        ...t.options.headers,
        "User-Agent": "pod",
        ...(json ? { "Content-Type": "application/json" } : {}),
        ...(body ? { "Content-Length": String(body.length) } : {}),
        ...(upgrade ? { Connection: "Upgrade", Upgrade: "tcp" } : {}),
        ...o.headers,
      },
    });
    let response: IncomingMessage | undefined;
    let upgraded: Duplex | undefined;
    // A stream handed over gets the error only if someone listens: an unheard 'error' would crash pod.
    const stop = (err: Error) => {
      for (const s of [upgraded, response]) s?.destroy(s.listenerCount("error") > 0 ? err : undefined);
      req.destroy(err);
    };
    const signal = o.signal;
    const release = signal ? this.watch(signal, () => stop(abortError(signal))) : () => {};
    let timer: NodeJS.Timeout | undefined;
    if (o.timeoutMs) timer = setTimeout(() => stop(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: "ETIMEDOUT" })), o.timeoutMs);
    const done = () => clearTimeout(timer);
    if (t.oneShot) req.once("close", () => this.agents.delete(agent));
    return new Promise<IncomingMessage | Duplex>((resolve, reject) => {
      req.on("error", (err: NodeJS.ErrnoException) => {
        done();
        release();
        reject(Object.assign(err, { staleSocket: req.reusedSocket && err.code === "ECONNRESET" }));
      });
      req.on("response", (res: IncomingMessage) => {
        response = res;
        res.once("close", release);
        if (mode === "whole") res.once("end", done).once("close", done);
        else done();
        if (upgrade) {
          // No switch: an error (or an engine that will not hijack).
          const status = res.statusCode ?? 0;
          readAll(res).then(
            (b) => reject(status >= 400 ? failure(method, path, status, b.toString("utf8")) : new EngineError(`${method} ${path}: the engine did not switch protocols (HTTP ${status})`, undefined, status)),
            reject,
          );
          return;
        }
        resolve(res);
      });
      req.on("upgrade", (_res: IncomingMessage, socket: Duplex, head: Buffer) => {
        done();
        upgraded = socket;
        socket.once("close", release);
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      if (o.raw && !Buffer.isBuffer(o.raw)) {
        o.raw.on("error", (err: Error) => req.destroy(err));
        o.raw.pipe(req);
      } else {
        req.end(body);
      }
    });
  }
}

function failure(method: string, path: string, status: number, text: string): EngineError {
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed?.message === "string") message = parsed.message;
  } catch {
    // not JSON: the text itself
  }
  return new EngineError(`${method} ${path}: ${message || `HTTP ${status}`}`, undefined, status);
}

/**
 * Docker multiplexes a container's stdout and stderr (without a terminal) in frames: one byte
 * stream (0 stdin, 1 stdout, 2 stderr, 3 the engine's own error), three zero bytes, a
 * big-endian uint32 length, the data. A terminal's output is not framed. Feed chunks as
 * they come; frames split across chunks come out whole. Stdin frames count as stdout and the
 * engine's error frames as stderr.
 */
export class DemuxStream {
  private pending: Buffer = Buffer.alloc(0);
  private framed: boolean | null;

  /** `tty`: whether the container has a terminal, if known; else the first bytes tell. */
  constructor(o: { tty?: boolean } = {}) {
    this.framed = o.tty === undefined ? null : !o.tty;
  }

  /** The frames this chunk completes. */
  push(chunk: Buffer | string): Frame[] {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    if (this.framed === null) this.framed = sniff(this.pending);
    if (this.framed === null) return [];
    if (!this.framed) return this.flushRaw();
    const frames: Frame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({ stream: streamOf(this.pending[0]!), data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }

  /** At the end of the stream: what is left (a cut-off frame's data, or a few unframed bytes). */
  end(): Frame[] {
    if (this.pending.length === 0) return [];
    if (this.framed !== true) return this.flushRaw();
    const rest = this.pending.length >= 8 ? [{ stream: streamOf(this.pending[0]!), data: this.pending.subarray(8) }] : [];
    this.pending = Buffer.alloc(0);
    return rest.filter((f) => f.data.length > 0);
  }

  /** Every frame of a stream (a response from stream()), as it arrives. */
  static async *frames(source: AsyncIterable<Buffer | string>, o: { tty?: boolean } = {}): AsyncGenerator<Frame> {
    const demuxer = new DemuxStream(o);
    for await (const chunk of source) yield* demuxer.push(chunk);
    yield* demuxer.end();
  }

  private flushRaw(): Frame[] {
    const data = this.pending;
    this.pending = Buffer.alloc(0);
    return data.length > 0 ? [{ stream: 1, data }] : [];
  }
}

function streamOf(byte: number): 1 | 2 {
  return byte === 2 || byte === 3 ? 2 : 1;
}

/** true: framed; false: a terminal's raw bytes; null: too few bytes to tell. */
function sniff(b: Buffer): boolean | null {
  if (b.length > 0 && b[0]! > 3) return false;
  for (let i = 1; i < Math.min(b.length, 4); i++) if (b[i] !== 0) return false;
  return b.length >= 8 ? true : null;
}

/** A whole multiplexed (or unframed terminal) answer: its frames in order, and each stream as text. */
export function demux(buf: Buffer): { stdout: string; stderr: string; frames: Frame[] } {
  const demuxer = new DemuxStream();
  const frames = [...demuxer.push(buf), ...demuxer.end()];
  const join = (s: 1 | 2) => Buffer.concat(frames.filter((f) => f.stream === s).map((f) => f.data)).toString("utf8");
  return { stdout: join(1), stderr: join(2), frames };
}
