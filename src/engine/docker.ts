// The one adapter to a real engine, on dockerode: each method calls dockerode once (or a
// few times, for exec), turns its answer into plain data (./answers.ts) and its failure
// into a PodError that says what pod was doing (./faults.ts).
import type { Docker } from "./client.js";
import { setMaxListeners } from "node:events";
import type { Agent } from "node:http";
import { Readable, Writable } from "node:stream";
import { EngineError } from "../errors.js";
import type { Engine } from "./engine.js";
import type { Endpoint } from "./endpoint.js";
import {
  parseLogLine,
  toContainerInfo,
  toContainerSummary,
  toEngineEvent,
  toEngineInfo,
  toImageInfo,
  toImageSummary,
  toNetworkInfo,
  toPullProgress,
  toStatsSample,
  toVolumeInfo,
  type EventBody,
  type ImageBody,
  type InspectBody,
  type ListedContainer,
  type StatsBody,
  type VersionBody,
} from "./answers.js";
import { engineMessage, midRestart, statusOf, toPodError, type ModemError } from "./faults.js";
import { pullError, splitReference } from "./pull.js";
import type {
  ContainerConfig,
  ContainerInfo,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  ExecResult,
  ExecStreams,
  ImageInfo,
  ImageSummary,
  LogLine,
  LogOptions,
  NetworkInfo,
  NetworkSpec,
  PullProgress,
  StatsSample,
  VolumeInfo,
  VolumeSpec,
} from "./types.js";

function short(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}

/** dockerode puts names in paths as they are: `?`, `#`, `/` or `..` in one must not change the path. */
function seg(name: string): string {
  return encodeURIComponent(name);
}

interface Frame {
  stream: "stdout" | "stderr";
  data: Buffer;
}

/**
 * A multiplexed stream's frames in order, split by docker-modem's demuxStream; read as
 * they come, the source paused while the reader lags.
 */
async function* frames(modem: Docker["modem"], source: NodeJS.ReadableStream): AsyncGenerator<Frame> {
  const queue: Frame[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let failed: Error | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const sink = (stream: Frame["stream"]) =>
    new Writable({
      write(data: Buffer, _encoding, done) {
        queue.push({ stream, data });
        if (queue.length > 256) source.pause();
        notify();
        done();
      },
    });
  (modem as { demuxStream(s: NodeJS.ReadableStream, out: Writable, err: Writable): void }).demuxStream(source, sink("stdout"), sink("stderr"));
  source.once("end", () => ((ended = true), notify()));
  source.once("close", () => ((ended = true), notify()));
  source.once("error", (err: Error) => ((failed = err), notify()));
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        if (queue.length < 64) source.resume();
        yield next;
        continue;
      }
      if (failed) throw failed;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // A reader that stops early (a break) closes the stream, as for-await over it would.
    if (!ended) (source as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

/** A stream of JSON lines (events, build and pull output), one object per line. */
async function* jsonLines<T>(source: NodeJS.ReadableStream): AsyncGenerator<T> {
  let pending = "";
  for await (const chunk of source) {
    pending += String(chunk);
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (pending.trim()) yield JSON.parse(pending) as T;
}

/** A whole answer (docker-modem gives a Buffer, or a stream for follow and hijack). */
function asStream(answer: unknown): NodeJS.ReadableStream {
  if (answer && typeof (answer as NodeJS.ReadableStream).pipe === "function") return answer as NodeJS.ReadableStream;
  // Not a stream: a Buffer. (docker-modem parses an answer that reads as JSON; pod's
  // replicas have no terminal, so their logs are framed and never parse.)
  return Readable.from([Buffer.isBuffer(answer) ? answer : Buffer.from(typeof answer === "string" ? answer : JSON.stringify(answer))]);
}

function untilEnd(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", reject);
  });
}

/** Whether labels match every filter, as the engine reads them: `key` is there, `key=value` has that value. */
function hasLabels(labels: Record<string, string>, filters: string[]): boolean {
  return filters.every((f) => {
    const at = f.indexOf("=");
    return at < 0 ? f in labels : labels[f.slice(0, at)] === f.slice(at + 1);
  });
}

/** An engine's 404 for an endpoint it does not have (Podman's words), not for a missing object. */
const NO_SUCH_ENDPOINT = /^Path \S+ is not supported/;

export class DockerEngine implements Engine {
  readonly address: string;
  private opened: Promise<{ calls: Docker; streams: Docker }> | null = null;

  constructor(private readonly endpoint: Endpoint) {
    this.address = endpoint.host;
  }

  /** dockerode, loaded at the first call: one for calls read whole, one for streams (client.ts). */
  private clients(): Promise<{ calls: Docker; streams: Docker }> {
    this.opened ??= import("./client.js")
      .then((c) => c.openDocker(this.endpoint))
      .catch((err: unknown) => {
        this.opened = null;
        throw err;
      });
    return this.opened;
  }

  private async docker(): Promise<Docker> {
    return (await this.clients()).calls;
  }

  private async streams(): Promise<Docker> {
    return (await this.clients()).streams;
  }

  close(): void {
    const agents = (d: Docker) => (d.modem as { agent?: Agent }).agent;
    void this.opened?.then(
      (c) => {
        agents(c.calls)?.destroy();
        agents(c.streams)?.destroy();
      },
      () => undefined,
    );
  }

  private readonly signals = new WeakMap<AbortSignal, AbortSignal>();

  /**
   * A signal of the adapter's own for a caller's: node adds an abort listener to the
   * signal of each request and warns past ten (a `logs -f` of 20 replicas shares one).
   */
  private own(signal: AbortSignal): AbortSignal {
    let own = this.signals.get(signal);
    if (!own) {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal);
      if (signal.aborted) controller.abort(signal.reason);
      else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
      own = controller.signal;
      this.signals.set(signal, own);
    }
    return own;
  }

  /**
   * One engine call, `what` naming it for its error. `answers`: statuses that are results,
   * not failures (null then: 404 is gone, 304 already done). `read`: sent again once when
   * a kept-alive connection the engine had just closed fails at once. `stream`: through
   * the streams' pool (what stays open or waits).
   */
  private async call<T>(what: string, f: (d: Docker) => Promise<T>, o: { answers?: number[]; read?: boolean; stream?: boolean } = {}): Promise<T | null> {
    const docker = (await this.clients())[o.stream ? "streams" : "calls"];
    for (let attempt = 1; ; attempt++) {
      try {
        return await f(docker);
      } catch (err) {
        if (o.answers?.includes(statusOf(err) ?? -1)) return null;
        if (o.read && attempt === 1 && (err as ModemError).code === "ECONNRESET") continue;
        if (o.read && attempt < 5 && midRestart(err)) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw toPodError(err, what, this.endpoint);
      }
    }
  }

  private read<T>(what: string, f: (d: Docker) => Promise<T>, answers: number[] = []): Promise<T | null> {
    return this.call(what, f, { answers, read: true });
  }

  async info(): Promise<EngineInfo> {
    const [version, info] = await Promise.all([
      this.read("read the engine's version", (d) => d.version() as Promise<VersionBody>),
      this.read("read the engine's info", (d) => d.info() as Promise<{ KernelVersion?: string; ServerVersion?: string; OperatingSystem?: string }>),
    ]);
    return toEngineInfo(version!, info!);
  }

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    const list = await this.read("list containers", (d) => d.listContainers({ all: true, filters: { label: labelFilters } }) as unknown as Promise<ListedContainer[]>);
    return list!.map(toContainerSummary);
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo | null> {
    const body = await this.read(`inspect container ${short(idOrName)}`, (d) => d.getContainer(seg(idOrName)).inspect() as unknown as Promise<InspectBody>, [404]);
    return body && toContainerInfo(body);
  }

  async image(ref: string): Promise<ImageInfo | null> {
    const body = await this.read(`inspect image ${ref}`, (d) => d.getImage(seg(ref)).inspect() as unknown as Promise<ImageBody>, [404]);
    return body && toImageInfo(body);
  }

  async buildImage(contextDir: string, files: string[], tag: string): Promise<void> {
    // Rare (the sandbox image, the agent's, once): the tar packer loads only here. (Its
    // default export: a bundled CommonJS module imported at run time has no named ones.)
    const { default: tarFs } = await import("tar-fs");
    const output = await this.call(`build image ${tag}`, (d) => d.buildImage(tarFs.pack(contextDir, { entries: files }), { t: tag, rm: true, forcerm: true }), { stream: true });
    try {
      for await (const line of jsonLines<{ error?: string }>(output!)) {
        if (line.error) throw new EngineError(`build image ${tag}: ${line.error.trim()}`);
      }
    } catch (err) {
      throw toPodError(err, `build image ${tag}`, this.endpoint);
    }
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    const { name, ...body } = config;
    // _query and _body: dockerode would otherwise put the whole config in the URL too (env values, secrets).
    const created = await this.call(`create container ${name}`, (d) => d.createContainer({ _query: { name }, _body: body } as unknown as Docker.ContainerCreateOptions));
    return created!.id;
  }

  async startContainer(id: string): Promise<void> {
    // 304: already running.
    await this.call(`start container ${short(id)}`, (d) => d.getContainer(seg(id)).start(), { answers: [304] });
  }

  async connectNetwork(network: string, id: string, aliases: string[]): Promise<void> {
    await this.call(`connect container ${short(id)} to network ${network}`, (d) =>
      d.getNetwork(seg(network)).connect({ Container: id, EndpointConfig: aliases.length > 0 ? { Aliases: aliases } : {} }),
    );
  }

  async stopContainer(id: string, timeoutS: number | null): Promise<boolean> {
    // 304: already stopped; 404: already gone. A stop waits for the drain: not on the calls' connection.
    const stopped = await this.call(`stop container ${short(id)}`, (d) => d.getContainer(seg(id)).stop(timeoutS === null ? {} : { t: timeoutS }).then(() => true), { answers: [304, 404], stream: true });
    return stopped === true;
  }

  async removeContainer(id: string): Promise<void> {
    const docker = await this.docker();
    for (let attempt = 1; ; attempt++) {
      try {
        await docker.getContainer(seg(id)).remove({ force: true, v: true });
        return;
      } catch (err) {
        const status = statusOf(err);
        // Gone already; or two removals racing harmlessly, the second finding it on its way out.
        if (status === 404 || (status === 409 && /already in progress/.test(engineMessage(err as ModemError)))) return;
        // Podman, caught between a container's exit and its restart, cannot kill it; a moment later it can.
        if (attempt < 5 && midRestart(err)) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw toPodError(err, `remove container ${short(id)}`, this.endpoint);
      }
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.call(`rename container ${short(id)} to ${name}`, (d) => d.getContainer(seg(id)).rename({ name }));
  }

  async setRestartPolicy(id: string, policy: string): Promise<void> {
    await this.call(`set the restart policy of container ${short(id)}`, (d) => d.getContainer(seg(id)).update({ RestartPolicy: { Name: policy } }));
  }

  async logTail(id: string, lines: number): Promise<string[]> {
    const answer = await this.read(`read the logs of container ${short(id)}`, (d) => d.getContainer(seg(id)).logs({ stdout: true, stderr: true, tail: lines, follow: false }) as Promise<unknown>);
    const modem = (await this.docker()).modem;
    // Frames in the order they were written, stdout and stderr interleaved.
    const chunks: Buffer[] = [];
    for await (const f of frames(modem, asStream(answer))) chunks.push(f.data);
    return Buffer.concat(chunks)
      .toString("utf8")
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l !== "");
  }

  async *logs(id: string, o: LogOptions, signal: AbortSignal): AsyncIterable<LogLine> {
    const what = `read the logs of container ${short(id)}`;
    const options = {
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: o.follow,
      ...(o.tail !== null ? { tail: o.tail } : {}),
      ...(o.since !== null ? { since: o.since } : {}),
      abortSignal: this.own(signal),
    };
    const docker = await this.streams();
    const partial = { stdout: "", stderr: "" };
    try {
      const answer: unknown = await docker.getContainer(seg(id)).logs(options as Docker.ContainerLogsOptions & { follow: true });
      for await (const f of frames(docker.modem, asStream(answer))) {
        const text = partial[f.stream] + f.data.toString("utf8");
        const lines = text.split("\n");
        partial[f.stream] = lines.pop()!;
        for (const line of lines) yield parseLogLine(line, f.stream);
      }
    } catch (err) {
      if (signal.aborted) return;
      throw toPodError(err, what, this.endpoint);
    }
    for (const stream of ["stdout", "stderr"] as const) if (partial[stream]) yield parseLogLine(partial[stream], stream);
  }

  async execWithInput(id: string, cmd: string[], input: string): Promise<ExecResult> {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, next) => (chunks.push(chunk), next()) });
    const exitCode = await this.execAttached(id, cmd, { stdin: Readable.from([input]), stdout: sink, stderr: sink, tty: null });
    return { exitCode, output: Buffer.concat(chunks).toString("utf8") };
  }

  async stats(id: string): Promise<StatsSample | null> {
    // 404: gone; 409: not running.
    const body = await this.read(`read the stats of container ${short(id)}`, (d) => d.getContainer(seg(id)).stats({ stream: false }) as unknown as Promise<StatsBody>, [404, 409]);
    return body && toStatsSample(body);
  }

  async execAttached(id: string, cmd: string[], io: ExecStreams): Promise<number> {
    const what = `run ${JSON.stringify(cmd[0] ?? "")} in container ${short(id)}`;
    const tty = io.tty !== null;
    const { calls, streams } = await this.clients();
    try {
      const created = await calls.getContainer(seg(id)).exec({ Cmd: cmd, AttachStdin: io.stdin !== null, AttachStdout: true, AttachStderr: true, Tty: tty });
      // The engine closes the connection an exec's output came on (over ssh: that login
      // ends), so only the start goes through the streams' pool.
      const exec = streams.getExec(created.id);
      const deliver = async (output: NodeJS.ReadableStream) => {
        if (tty) {
          output.on("data", (chunk: Buffer) => io.stdout.write(chunk));
          await untilEnd(output);
        } else {
          for await (const f of frames(streams.modem, output)) (f.stream === "stderr" ? io.stderr : io.stdout).write(f.data);
        }
      };
      if (io.stdin === null) {
        await deliver(await exec.start({ Detach: false, Tty: tty }));
      } else {
        // Input needs the hijacked connection: bytes both ways on one socket.
        const socket = (await exec.start({ hijack: true, stdin: true, _body: { Detach: false, Tty: tty } } as Docker.ExecStartOptions)) as unknown as NodeJS.ReadWriteStream;
        if (io.tty) await calls.getExec(created.id).resize({ h: io.tty.rows, w: io.tty.columns }).catch(() => undefined);
        const input = io.stdin;
        const onData = (d: Buffer) => socket.write(d);
        input.on("data", onData);
        // End of input closes the command's stdin (a half-close): its output still comes back.
        input.once("end", () => socket.end());
        try {
          await deliver(socket);
        } catch {
          // The engine closes a hijacked connection abruptly at the command's end: its exit code says how it went.
        } finally {
          input.off("data", onData);
        }
      }
      const info = await calls.getExec(created.id).inspect();
      return info.ExitCode ?? -1;
    } catch (err) {
      throw toPodError(err, what, this.endpoint);
    }
  }

  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    let stdout = "";
    let stderr = "";
    const sink = (add: (s: string) => void) => new Writable({ write: (chunk: Buffer, _enc, next) => (add(chunk.toString("utf8")), next()) });
    const exitCode = await this.execAttached(id, cmd, { stdin: null, stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), tty: null });
    return { exitCode, output: stdout + stderr };
  }

  async pastEvents(labelFilters: string[], sinceMs: number): Promise<EngineEvent[]> {
    // `until` exactly now, in the engine's seconds.fraction: the engine answers at once with
    // what it holds (rounded up to the next second, it keeps the stream open until then).
    const now = Date.now();
    const until = `${Math.floor(now / 1000)}.${String(now % 1000).padStart(3, "0")}`;
    const events: EngineEvent[] = [];
    for await (const e of this.eventStream({ since: Math.floor(sinceMs / 1000), until }, labelFilters, new AbortController().signal)) events.push(e);
    return events;
  }

  events(labelFilters: string[], signal: AbortSignal, sinceMs?: number): AsyncIterable<EngineEvent> {
    return this.eventStream(sinceMs === undefined ? {} : { since: Math.floor(sinceMs / 1000) }, labelFilters, signal);
  }

  private async *eventStream(window: { since?: number; until?: string }, labelFilters: string[], signal: AbortSignal): AsyncIterable<EngineEvent> {
    const docker = await this.streams();
    try {
      const stream = await docker.getEvents({ ...window, filters: { type: ["container"], label: labelFilters }, abortSignal: this.own(signal) } as unknown as Docker.GetEventsOptions);
      for await (const e of jsonLines<EventBody>(stream)) yield toEngineEvent(e);
    } catch (err) {
      if (signal.aborted) return;
      throw toPodError(err, "read the engine's events", this.endpoint);
    }
  }

  // ---- images from registries

  async pull(ref: string, auth: string | null, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const docker = await this.streams();
    const { fromImage, tag } = splitReference(ref);
    let output: NodeJS.ReadableStream;
    try {
      output = await docker.createImage({ fromImage, tag, ...(auth ? { authconfig: { base64: auth } } : {}), ...(signal ? { abortSignal: this.own(signal) } : {}) });
    } catch (err) {
      const status = statusOf(err);
      if (status === null) throw toPodError(err, `pull ${ref}`, this.endpoint);
      throw pullError("pull", ref, engineMessage(err as ModemError) || `HTTP ${status}`, status, auth);
    }
    try {
      for await (const line of jsonLines<{ error?: string; errorDetail?: { message?: string }; id?: string; status?: string; progressDetail?: { current?: number; total?: number } }>(output)) {
        if (line.error || line.errorDetail) throw pullError("pull", ref, line.errorDetail?.message ?? line.error ?? "", null, auth);
        const progress = toPullProgress(line);
        if (progress) onProgress(progress);
      }
    } catch (err) {
      throw toPodError(err, `pull ${ref}`, this.endpoint);
    }
  }

  async distribution(ref: string, auth: string | null): Promise<{ digest: string } | null> {
    const docker = await this.docker();
    try {
      const body = (await docker.getImage(seg(ref)).distribution(auth ? { authconfig: { base64: auth } } : {})) as { Descriptor?: { digest?: string } };
      const digest = body.Descriptor?.digest;
      if (!digest) throw new EngineError(`look up ${ref}: the engine's answer names no digest`);
      return { digest };
    } catch (err) {
      const status = statusOf(err);
      if (status === null || (status >= 300 && status < 400)) throw toPodError(err, `look up ${ref}`, this.endpoint);
      const message = engineMessage(err as ModemError);
      // Podman 4.3: "Path /distribution/…/json is not supported", about the engine, not the image.
      if (status === 404 && NO_SUCH_ENDPOINT.test(message)) return null;
      throw pullError("look up", ref, message || `HTTP ${status}`, status, auth);
    }
  }

  // ---- networks and volumes (compose projects)

  async listNetworks(labelFilters: string[]): Promise<NetworkInfo[]> {
    const list = await this.read("list networks", (d) => d.listNetworks({ filters: { label: labelFilters } }));
    return list!.map(toNetworkInfo);
  }

  async inspectNetwork(name: string): Promise<NetworkInfo | null> {
    const body = await this.read(`inspect network ${name}`, (d) => d.getNetwork(seg(name)).inspect() as Promise<Docker.NetworkInspectInfo>, [404]);
    return body && toNetworkInfo(body);
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    const body = {
      Name: spec.name,
      CheckDuplicate: true,
      Labels: spec.labels,
      ...(spec.driver ? { Driver: spec.driver } : {}),
      ...(spec.internal ? { Internal: true } : {}),
      ...(spec.options ? { Options: spec.options } : {}),
    };
    const network = await this.call(`create network ${spec.name}`, (d) => d.createNetwork({ _query: {}, _body: body } as unknown as Docker.NetworkCreateOptions));
    return network!.id;
  }

  async removeNetwork(id: string): Promise<void> {
    await this.call(`remove network ${short(id)}`, (d) => d.getNetwork(seg(id)).remove(), { answers: [404] });
  }

  async listVolumes(labelFilters: string[]): Promise<VolumeInfo[]> {
    const answer = await this.read("list volumes", (d) => d.listVolumes({ filters: { label: labelFilters } }));
    return (answer!.Volumes ?? []).map(toVolumeInfo);
  }

  async inspectVolume(name: string): Promise<VolumeInfo | null> {
    const body = await this.read(`inspect volume ${name}`, (d) => d.getVolume(seg(name)).inspect() as Promise<Docker.VolumeInspectInfo>, [404]);
    return body && toVolumeInfo(body);
  }

  async createVolume(spec: VolumeSpec): Promise<string> {
    const body = { Name: spec.name, Labels: spec.labels, ...(spec.driver ? { Driver: spec.driver } : {}) };
    const volume = await this.call(`create volume ${spec.name}`, (d) => d.createVolume({ _query: {}, _body: body } as unknown as Docker.VolumeCreateOptions));
    return volume!.name;
  }

  async removeVolume(name: string): Promise<void> {
    await this.call(`remove volume ${name}`, (d) => d.getVolume(seg(name)).remove(), { answers: [404] });
  }

  // ---- label-only images (records the engine's prunes leave alone)

  async createLabelledImage(repoTag: string, labels: Record<string, string>): Promise<string> {
    const { labelledImageArchive } = await import("./archive.js");
    const archive = await labelledImageArchive(repoTag, labels, new Date());
    const output = await this.call(`create image ${repoTag}`, (d) => d.loadImage(archive as unknown as NodeJS.ReadableStream, { quiet: true }), { stream: true });
    for await (const line of jsonLines<{ error?: string; errorDetail?: { message?: string } }>(output!)) {
      if (line.error || line.errorDetail) throw new EngineError(`create image ${repoTag}: ${(line.errorDetail?.message ?? line.error ?? "").trim()}`);
    }
    const image = await this.image(repoTag);
    if (!image) throw new EngineError(`create image ${repoTag}: the engine loaded it but does not find it`);
    return image.id;
  }

  async listImages(labelFilters: string[]): Promise<ImageSummary[]> {
    // One label filter asked, the others applied here: Podman 4 answers two on images with nothing.
    const list = await this.read("list images", (d) => d.listImages({ filters: { label: labelFilters.slice(0, 1) } } as unknown as Docker.ListImagesOptions));
    return list!.map(toImageSummary).filter((i) => hasLabels(i.labels, labelFilters));
  }

  async removeImage(ref: string): Promise<void> {
    await this.call(`remove image ${ref}`, (d) => d.getImage(seg(ref)).remove(), { answers: [404] });
  }
}
