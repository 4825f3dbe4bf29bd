// A small client of the Docker Engine API over node:http: pod's hot path never loads
// dockerode (0.3 s at import: ssh2, grpc, protobufjs). Unversioned paths: the engine then
// speaks its own current API version, which every engine from 20.10 to 29 accepts.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { EngineError, EngineUnreachableError } from "../errors.js";
import type { Endpoint } from "./endpoint.js";

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: IncomingHttpHeaders;
}

type QueryValue = string | number | boolean | string[] | Record<string, string[]> | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  raw?: NodeJS.ReadableStream;
  headers?: Record<string, string>;
  /** Statuses that are answers, not errors (e.g. 304, 404). */
  ok?: number[];
  signal?: AbortSignal;
  /** 0: none. */
  timeoutMs?: number;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "ENOTSOCK"]);

function encodeQuery(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

interface Transport {
  request: typeof httpRequest;
  base: { socketPath?: string; host?: string; port?: number; agent?: Agent };
}

export class EngineHttp {
  readonly address: string;
  private transport: Promise<Transport> | null = null;
  private agents: Agent[] = [];

  constructor(private readonly endpoint: Endpoint) {
    this.address = endpoint.host;
  }

  private async connect(): Promise<Transport> {
    const url = new URL(this.endpoint.host);
    if (url.protocol === "unix:") {
      const agent = new Agent({ keepAlive: true });
      this.agents.push(agent);
      return { request: httpRequest, base: { socketPath: url.pathname, agent } };
    }
    if (url.protocol === "ssh:") {
      // Only ssh hosts pay for ssh2: docker-modem's agent runs `docker system dial-stdio` there.
      const { default: sshAgent } = await import("docker-modem/lib/ssh.js");
      const agent = sshAgent({ host: url.hostname, port: url.port ? Number(url.port) : 22, ...(url.username ? { username: url.username } : {}) });
      this.agents.push(agent);
      return { request: httpRequest, base: { agent } };
    }
    const port = Number(url.port || (this.endpoint.tls ? 2376 : 2375));
    if (this.endpoint.tls) {
      const { ca, cert, key, verify } = this.endpoint.tls;
      const agent = new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), rejectUnauthorized: verify });
      this.agents.push(agent as unknown as Agent);
      return { request: httpsRequest as unknown as typeof httpRequest, base: { host: url.hostname, port, agent: agent as unknown as Agent } };
    }
    const agent = new Agent({ keepAlive: true });
    this.agents.push(agent);
    return { request: httpRequest, base: { host: url.hostname, port, agent } };
  }

  private unreachable(err: NodeJS.ErrnoException): Error {
    if (err.name === "AbortError") return err;
    const hint =
      err.code === "EACCES"
        ? "pod may not open the engine's socket: run as root or as a member of the docker group"
        : "start one (`make build` installs and starts Debian's docker.io), or point DOCKER_HOST, --host or --context at a running engine";
    return new EngineUnreachableError(`no Docker engine answers at ${this.address} (${err.code ?? err.message})`, hint);
  }

  private async open(method: string, path: string, o: RequestOptions): Promise<IncomingMessage> {
    this.transport ??= this.connect();
    const t = await this.transport;
    const json = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    return new Promise((resolve, reject) => {
      const req = t.request({
        ...t.base,
        method,
        path: path + encodeQuery(o.query),
        headers: {
          Host: "docker",
          ...(json ? { "Content-Type": "application/json", "Content-Length": String(json.length) } : {}),
          ...o.headers,
        },
        ...(o.signal ? { signal: o.signal } : {}),
      });
      req.on("response", resolve);
      req.on("error", (err: NodeJS.ErrnoException) => reject(err.code && UNREACHABLE.has(err.code) ? this.unreachable(err) : err));
      if (o.timeoutMs) req.setTimeout(o.timeoutMs, () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
      if (o.raw) o.raw.pipe(req);
      else req.end(json);
    });
  }

  private static async text(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  private static failure(method: string, path: string, status: number, text: string): EngineError {
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: the text itself
    }
    return new EngineError(`${method} ${path}: ${message || `HTTP ${status}`}`, undefined, status);
  }

  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse<T>> {
    const res = await this.open(method, path, o);
    const text = await EngineHttp.text(res);
    const status = res.statusCode ?? 0;
    if (status >= 400 && !(o.ok ?? []).includes(status)) throw EngineHttp.failure(method, path, status, text);
    let body: unknown = null;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status, body: body as T, headers: res.headers };
  }

  async stream(method: string, path: string, o: RequestOptions = {}): Promise<IncomingMessage> {
    const res = await this.open(method, path, o);
    const status = res.statusCode ?? 0;
    if (status >= 400) throw EngineHttp.failure(method, path, status, await EngineHttp.text(res));
    return res;
  }

  /** A hijacked connection (exec with stdin or a terminal): the raw socket after 101. */
  async upgrade(method: string, path: string, o: RequestOptions = {}): Promise<Duplex> {
    this.transport ??= this.connect();
    const t = await this.transport;
    const json = Buffer.from(JSON.stringify(o.body ?? {}));
    return new Promise((resolve, reject) => {
      const req = t.request({
        ...t.base,
        agent: false as unknown as Agent,
        method,
        path: path + encodeQuery(o.query),
        headers: { Host: "docker", Connection: "Upgrade", Upgrade: "tcp", "Content-Type": "application/json", "Content-Length": String(json.length) },
      });
      req.on("upgrade", (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on("response", async (res) => reject(EngineHttp.failure(method, path, res.statusCode ?? 0, await EngineHttp.text(res))));
      req.on("error", (err: NodeJS.ErrnoException) => reject(err.code && UNREACHABLE.has(err.code) ? this.unreachable(err) : err));
      req.end(json);
    });
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }
}

export interface Frame {
  stream: 1 | 2;
  data: Buffer;
}

/** Docker multiplexes stdout and stderr of a container without a terminal in 8-byte-headed frames. */
export function demux(buf: Buffer): { stdout: string; stderr: string; frames: Frame[] } {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length && buf[offset]! <= 2 && buf[offset + 1] === 0 && buf[offset + 2] === 0 && buf[offset + 3] === 0) {
    const size = buf.readUInt32BE(offset + 4);
    frames.push({ stream: buf[offset] === 2 ? 2 : 1, data: buf.subarray(offset + 8, offset + 8 + size) });
    offset += 8 + size;
  }
  // A terminal's output is not framed.
  if (offset === 0 && buf.length > 0) frames.push({ stream: 1, data: buf });
  const join = (s: 1 | 2) => Buffer.concat(frames.filter((f) => f.stream === s).map((f) => f.data)).toString("utf8");
  return { stdout: join(1), stderr: join(2), frames };
}

/** Demultiplexes a live stream whose frames may be split across chunks. */
export class DemuxStream {
  private pending: Buffer = Buffer.alloc(0);
  private raw: boolean | null = null;

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // A terminal's output is not framed: the first bytes tell.
    if (this.raw === null && this.pending.length >= 8) {
      const p = this.pending;
      this.raw = !(p[0]! <= 2 && p[1] === 0 && p[2] === 0 && p[3] === 0);
    }
    if (this.raw === null) return [];
    if (this.raw) {
      const data = this.pending;
      this.pending = Buffer.alloc(0);
      return [{ stream: 1, data }];
    }
    const frames: Frame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      frames.push({ stream: this.pending[0] === 2 ? 2 : 1, data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }
}
