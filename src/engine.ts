// The one door to the engine: the only module that imports dockerode. Each method is thin
// and alike: call dockerode, translate its error into a PodError naming the container.
import Docker from "dockerode";
import { PassThrough } from "node:stream";
import type { ContainerConfig, ContainerDetails, ContainerSummary, EngineInfo, ExecResult, ImageInfo } from "./engine-types.js";
import { EngineError, EngineUnreachableError } from "./errors.js";

export interface Engine {
  /** Where pod looks for the engine, for messages: `unix:///var/run/docker.sock`. */
  readonly address: string;
  info(): Promise<EngineInfo>;
  listContainers(labelFilters: string[]): Promise<ContainerSummary[]>;
  /** The image a reference names, or null when the engine has no such image. */
  image(ref: string): Promise<ImageInfo | null>;
  buildImage(contextDir: string, files: string[], tag: string): Promise<void>;
  createContainer(config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stop signal, then kill after timeoutS (null: the container's own stop timeout). */
  stopContainer(id: string, timeoutS: number | null): Promise<void>;
  /** Forced; a container already gone counts as removed. */
  removeContainer(id: string): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerDetails | null>;
  logTail(id: string, lines: number): Promise<string[]>;
  exec(id: string, cmd: string[]): Promise<ExecResult>;
}

export function engineAddress(environ: Record<string, string | undefined>): string {
  return environ.DOCKER_HOST || "unix:///var/run/docker.sock";
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND"]);

interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

export class DockerEngine implements Engine {
  private readonly docker: Docker;

  constructor(readonly address: string) {
    this.docker = new Docker(); // reads DOCKER_HOST itself, else the default socket
  }

  private fail(what: string, err: unknown): never {
    const e = err as DockerodeError;
    if (e.code && UNREACHABLE.has(e.code)) {
      throw new EngineUnreachableError(
        `no Docker engine answers at ${this.address} (${e.code})`,
        "start one (`make build` installs and starts Debian's docker.io), or point DOCKER_HOST at a running engine",
      );
    }
    const detail = (e.json?.message ?? e.message ?? e.reason ?? String(err)).trim();
    throw new EngineError(`${what}: ${detail}`, undefined, e.statusCode);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      return this.fail(what, err);
    }
  }

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    const list = await this.call("list containers", () =>
      this.docker.listContainers({ all: true, filters: { label: labelFilters } }),
    );
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? "").replace(/^\//, ""),
      image: c.Image,
      imageId: c.ImageID,
      state: c.State,
      status: c.Status,
      created: c.Created,
      labels: c.Labels ?? {},
      networkMode: c.HostConfig?.NetworkMode ?? "",
      ports: (c.Ports ?? [])
        .filter((p) => p.PublicPort !== undefined)
        .map((p) => ({ hostIp: p.IP ?? "", hostPort: p.PublicPort, containerPort: p.PrivatePort, protocol: p.Type })),
    }));
  }

  async info(): Promise<EngineInfo> {
    const info = await this.call("read the engine's info", () => this.docker.info());
    return { kernelVersion: String(info.KernelVersion ?? "") };
  }

  async image(ref: string): Promise<ImageInfo | null> {
    try {
      const image = await this.docker.getImage(ref).inspect();
      return { id: image.Id, user: image.Config?.User ?? "" };
    } catch (err) {
      if ((err as DockerodeError).statusCode === 404) return null;
      return this.fail(`inspect image ${ref}`, err);
    }
  }

  async buildImage(contextDir: string, files: string[], tag: string): Promise<void> {
    await this.call(`build image ${tag}`, async () => {
      const stream = await this.docker.buildImage({ context: contextDir, src: files }, { t: tag });
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
          const failed = err?.message ?? events.find((e) => e.error)?.error;
          if (failed) reject(new Error(failed));
          else resolve();
        }),
      );
    });
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    const container = await this.call(`create container ${config.name}`, () => this.docker.createContainer(config));
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call(`start container ${short(id)}`, () => this.docker.getContainer(id).start());
  }

  async stopContainer(id: string, timeoutS: number | null): Promise<void> {
    try {
      await this.docker.getContainer(id).stop(timeoutS === null ? {} : { t: timeoutS });
    } catch (err) {
      const status = (err as DockerodeError).statusCode;
      if (status === 304 || status === 404) return; // already stopped, or already gone
      this.fail(`stop container ${short(id)}`, err);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (err) {
      const e = err as DockerodeError;
      if (e.statusCode === 404) return;
      // Two removals of one container race harmlessly: the second finds it on its way out.
      if (e.statusCode === 409 && /already in progress/.test(e.json?.message ?? "")) return;
      this.fail(`remove container ${short(id)}`, err);
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call(`rename container ${short(id)} to ${name}`, () => this.docker.getContainer(id).rename({ name }));
  }

  async inspectContainer(id: string): Promise<ContainerDetails | null> {
    try {
      const c = await this.docker.getContainer(id).inspect();
      return {
        id: c.Id,
        name: c.Name.replace(/^\//, ""),
        state: c.State.Status,
        running: c.State.Running,
        exitCode: c.State.ExitCode,
        restartCount: c.RestartCount,
        oomKilled: c.State.OOMKilled,
        error: c.State.Error,
        labels: c.Config.Labels ?? {},
      };
    } catch (err) {
      if ((err as DockerodeError).statusCode === 404) return null;
      return this.fail(`inspect container ${short(id)}`, err);
    }
  }

  async logTail(id: string, lines: number): Promise<string[]> {
    const raw = await this.call(`read logs of ${short(id)}`, () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false }),
    );
    return demuxBuffer(raw as unknown as Buffer)
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l !== "");
  }

  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    return this.call(`exec in ${short(id)}`, async () => {
      const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on("data", (c: Buffer) => chunks.push(c));
      this.docker.modem.demuxStream(stream, out, out);
      await new Promise<void>((resolve, reject) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", reject);
      });
      const info = await exec.inspect();
      return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
    });
  }
}

function short(id: string): string {
  return id.slice(0, 12);
}

/** Docker multiplexes stdout and stderr of a non-TTY container in 8-byte-headed frames. */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length && buf[offset]! <= 2 && buf[offset + 1] === 0) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  // A TTY container's logs are not framed.
  return offset === 0 ? buf.toString("utf8") : Buffer.concat(parts).toString("utf8");
}
