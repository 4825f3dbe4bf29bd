// The one adapter to a real engine: each method is thin and alike — one Engine API call
// through EngineHttp, its answer turned into plain data, its error into a PodError that
// names the container.
import type { Engine } from "./engine.js";
import { Readable, Writable } from "node:stream";
import { demux, DemuxStream, EngineHttp } from "./http.js";
import type { Endpoint } from "./endpoint.js";
import { ImagePullError } from "../errors.js";
import type { ContainerConfig, ContainerInfo, ContainerSummary, EngineEvent, EngineInfo, ExecResult, ExecStreams, ImageInfo, LogLine, LogOptions, PublishedPort, PullProgress, StatsSample } from "./types.js";

function short(id: string): string {
  return id.slice(0, 12);
}

function ms(time: string | undefined): number {
  if (!time || time.startsWith("0001-")) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : t;
}

interface InspectBody {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  Config: { Image: string; Labels: Record<string, string> | null; Env: string[] | null };
  State: {
    Status: string;
    Running: boolean;
    Restarting: boolean;
    Pid: number;
    ExitCode: number;
    OOMKilled: boolean;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status?: string; FailingStreak?: number; Log?: { ExitCode?: number; Output?: string }[] | null } | null;
  };
  RestartCount: number;
  HostConfig: { NetworkMode: string; RestartPolicy?: { Name: string } };
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks: Record<string, { IPAddress: string; GlobalIPv6Address: string; Aliases: string[] | null }> | null;
  };
}

export function toContainerInfo(c: InspectBody): ContainerInfo {
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
    const [port, protocol] = key.split("/");
    for (const b of bindings ?? []) {
      ports.push({ hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(port), protocol: protocol ?? "tcp" });
    }
  }
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ""),
    image: c.Config.Image,
    imageId: c.Image,
    created: ms(c.Created),
    labels: c.Config.Labels ?? {},
    state: c.State.Status,
    running: c.State.Running,
    restarting: c.State.Restarting,
    exitCode: c.State.ExitCode,
    oomKilled: c.State.OOMKilled,
    error: c.State.Error ?? "",
    startedAt: ms(c.State.StartedAt),
    finishedAt: ms(c.State.FinishedAt),
    restartCount: c.RestartCount ?? 0,
    restartPolicy: c.HostConfig?.RestartPolicy?.Name ?? "",
    pid: c.State.Pid ?? 0,
    networkMode: c.HostConfig?.NetworkMode ?? "",
    ports,
    networks: Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
      name,
      ip: n.IPAddress ?? "",
      ipv6: n.GlobalIPv6Address ?? "",
      aliases: n.Aliases ?? [],
    })),
    env: c.Config.Env ?? [],
    health: toHealth(c.State.Health),
  };
}

/** null without a healthcheck. */
function toHealth(h: InspectBody["State"]["Health"]): ContainerInfo["health"] {
  const status = h?.Status;
  if (status !== "starting" && status !== "healthy" && status !== "unhealthy") return null;
  const last = h?.Log?.at(-1);
  return { status, failingStreak: h?.FailingStreak ?? 0, lastOutput: last?.Output ?? "", lastExitCode: typeof last?.ExitCode === "number" ? last.ExitCode : null };
}

/** "2026-11-22T10:00:00.123456789Z text": the engine's timestamp, then the line. */
export function parseLogLine(line: string, stream: "stdout" | "stderr"): LogLine {
  const space = line.indexOf(" ");
  const stamp = space > 0 ? line.slice(0, space) : "";
  const time = Date.parse(stamp);
  return Number.isNaN(time) ? { stream, time: 0, stamp: "", text: line } : { stream, time, stamp, text: line.slice(space + 1) };
}

/** A pull's failure, by the engine's words: which kind, naming the reference and its registry. */
function pullError(ref: string, message: string): ImagePullError {
  const registry = ref.includes("/") && /[.:]|^localhost$/.test(ref.split("/")[0]!) ? ref.split("/")[0]! : "docker.io";
  if (/not found|manifest unknown|does not exist|repository .* not found/i.test(message)) return new ImagePullError(`image ${ref} is not found in ${registry}`, "check the name and tag (`docker pull " + ref + "` says the same)", "not-found", ref, registry);
  if (/unauthorized|authentication required|denied|no basic auth/i.test(message)) return new ImagePullError(`${registry} refused the credentials for ${ref}`, `log in first: docker login ${registry}`, "unauthorized", ref, registry);
  if (/connection refused|no such host|timeout|dial tcp|i\/o timeout/i.test(message)) return new ImagePullError(`the registry ${registry} cannot be reached (for ${ref})`, "nothing was changed; check the address and that the registry runs", "unreachable", ref, registry);
  return new ImagePullError(`pulling ${ref} failed: ${message}`, undefined, "other", ref, registry);
}

export class DockerEngine implements Engine {
  private readonly http: EngineHttp;
  readonly address: string;

  constructor(endpoint: Endpoint) {
    this.http = new EngineHttp(endpoint);
    this.address = this.http.address;
  }

  close(): void {
    this.http.close();
  }

  async info(): Promise<EngineInfo> {
    const { body, headers } = await this.http.request<{ KernelVersion?: string; ServerVersion?: string; OperatingSystem?: string }>("GET", "/info");
    return {
      kernelVersion: body.KernelVersion ?? "",
      serverVersion: body.ServerVersion ?? "",
      apiVersion: String(headers["api-version"] ?? ""),
      os: body.OperatingSystem ?? "",
    };
  }

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    const { body } = await this.http.request<{ Id: string; Names: string[]; Labels: Record<string, string> | null; State: string; Created: number }[]>(
      "GET",
      "/containers/json",
      { query: { all: true, filters: { label: labelFilters } } },
    );
    return body.map((c) => ({ id: c.Id, name: (c.Names[0] ?? "").replace(/^\//, ""), labels: c.Labels ?? {}, state: c.State, created: c.Created * 1000 }));
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo | null> {
    const { status, body } = await this.http.request<InspectBody>("GET", `/containers/${encodeURIComponent(idOrName)}/json`, { ok: [404] });
    return status === 404 ? null : toContainerInfo(body);
  }

  async image(ref: string): Promise<ImageInfo | null> {
    const { status, body } = await this.http.request<{ Id: string; RepoDigests?: string[]; Config?: { User?: string; Healthcheck?: { Test?: string[] } } }>("GET", `/images/${encodeURIComponent(ref)}/json`, {
      ok: [404],
    });
    if (status === 404) return null;
    const test = body.Config?.Healthcheck?.Test ?? [];
    return { id: body.Id, user: body.Config?.User ?? "", repoDigests: body.RepoDigests ?? [], healthcheck: test.length > 0 && test[0] !== "NONE" };
  }

  async pull(ref: string, auth: string | null, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const at = ref.lastIndexOf("@");
    const colon = ref.lastIndexOf(":");
    const [fromImage, tag] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : colon > ref.lastIndexOf("/") ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, "latest"];
    const response = await this.http
      .stream("POST", "/images/create", { query: { fromImage, tag }, headers: auth ? { "X-Registry-Auth": auth } : {}, ...(signal ? { signal } : {}) })
      .catch((err) => {
        throw pullError(ref, err instanceof Error ? err.message : String(err));
      });
    let pending = "";
    for await (const chunk of response) {
      pending += String(chunk);
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line) continue;
        const e = JSON.parse(line) as { id?: string; status?: string; error?: string; progressDetail?: { current?: number; total?: number } };
        if (e.error) throw pullError(ref, e.error);
        onProgress({ id: e.id ?? "", status: e.status ?? "", current: e.progressDetail?.current ?? null, total: e.progressDetail?.total ?? null });
      }
    }
  }

  async distribution(ref: string, auth: string | null): Promise<{ digest: string }> {
    try {
      const { body } = await this.http.request<{ Descriptor: { digest: string } }>("GET", `/distribution/${ref}/json`, { headers: auth ? { "X-Registry-Auth": auth } : {} });
      return { digest: body.Descriptor.digest };
    } catch (err) {
      throw pullError(ref, err instanceof Error ? err.message : String(err));
    }
  }

  async buildImage(contextDir: string, files: string[], tag: string): Promise<void> {
    // Rare (the sandbox image, once): the tar packer loads only here.
    const { pack } = await import("tar-fs");
    const context = pack(contextDir, { entries: files });
    const response = await this.http.stream("POST", "/build", { query: { t: tag, rm: true, forcerm: true }, raw: context, headers: { "Content-Type": "application/x-tar" } });
    let text = "";
    for await (const chunk of response) text += String(chunk);
    const failure = text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { error?: string })
      .find((e) => e.error);
    if (failure) throw new Error(`build image ${tag}: ${failure.error}`);
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    const { name, ...body } = config;
    const { body: created } = await this.http.request<{ Id: string }>("POST", "/containers/create", { query: { name }, body });
    return created.Id;
  }

  async startContainer(id: string): Promise<void> {
    await this.http.request("POST", `/containers/${id}/start`, { ok: [304] });
  }

  async connectNetwork(network: string, id: string, aliases: string[]): Promise<void> {
    await this.http.request("POST", `/networks/${encodeURIComponent(network)}/connect`, { body: { Container: id, EndpointConfig: aliases.length > 0 ? { Aliases: aliases } : {} } });
  }

  async stopContainer(id: string, timeoutS: number | null): Promise<void> {
    // 304: already stopped; 404: already gone.
    await this.http.request("POST", `/containers/${id}/stop`, { query: timeoutS === null ? {} : { t: timeoutS }, ok: [304, 404], timeoutMs: 0 });
  }

  async removeContainer(id: string): Promise<void> {
    const { status, body } = await this.http.request<{ message?: string } | null>("DELETE", `/containers/${id}`, {
      query: { force: true, v: true },
      ok: [404, 409],
    });
    // Two removals of one container race harmlessly: the second finds it on its way out.
    if (status === 409 && !/already in progress/.test(body?.message ?? "")) {
      throw new Error(`remove container ${short(id)}: ${body?.message ?? "conflict"}`);
    }
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.http.request("POST", `/containers/${id}/rename`, { query: { name } });
  }

  async setRestartPolicy(id: string, policy: string): Promise<void> {
    await this.http.request("POST", `/containers/${id}/update`, { body: { RestartPolicy: { Name: policy } } });
  }

  async logTail(id: string, lines: number): Promise<string[]> {
    const response = await this.http.stream("GET", `/containers/${id}/logs`, { query: { stdout: true, stderr: true, tail: lines } });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    // Frames in the order they were written, stdout and stderr interleaved.
    return Buffer.concat(demux(Buffer.concat(chunks)).frames.map((f) => f.data))
      .toString("utf8")
      .split("\n")
      .map((l) => l.trimEnd())
      .filter((l) => l !== "");
  }

  async execWithInput(id: string, cmd: string[], input: string): Promise<ExecResult> {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, next) => (chunks.push(chunk), next()) });
    const exitCode = await this.execAttached(id, cmd, { stdin: Readable.from([input]), stdout: sink, stderr: sink, tty: null });
    return { exitCode, output: Buffer.concat(chunks).toString("utf8") };
  }

  async stats(id: string): Promise<StatsSample | null> {
    interface Body {
      cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
      precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
      memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
      networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
      blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
    }
    const { status, body } = await this.http.request<Body>("GET", `/containers/${id}/stats`, { query: { stream: false }, ok: [404, 409] });
    if (status !== 200 || !body) return null;
    const io = body.blkio_stats?.io_service_bytes_recursive ?? [];
    const sum = (op: string) => io.filter((e) => e.op.toLowerCase() === op).reduce((a, e) => a + e.value, 0);
    const nets = Object.values(body.networks ?? {});
    const mem = body.memory_stats?.stats ?? {};
    return {
      cpuTotal: body.cpu_stats?.cpu_usage?.total_usage ?? 0,
      precpuTotal: body.precpu_stats?.cpu_usage?.total_usage ?? 0,
      system: body.cpu_stats?.system_cpu_usage ?? 0,
      presystem: body.precpu_stats?.system_cpu_usage ?? 0,
      onlineCpus: body.cpu_stats?.online_cpus ?? 1,
      memUsage: body.memory_stats?.usage ?? 0,
      // cgroup v1 says total_inactive_file, v2 inactive_file: docker stats subtracts it.
      memCache: mem.total_inactive_file ?? mem.inactive_file ?? 0,
      memLimit: body.memory_stats?.limit ?? 0,
      netRx: nets.reduce((a, n) => a + n.rx_bytes, 0),
      netTx: nets.reduce((a, n) => a + n.tx_bytes, 0),
      blkRead: sum("read"),
      blkWrite: sum("write"),
    };
  }

  async execAttached(id: string, cmd: string[], io: ExecStreams): Promise<number> {
    const tty = io.tty !== null;
    const { body: created } = await this.http.request<{ Id: string }>("POST", `/containers/${id}/exec`, {
      body: { Cmd: cmd, AttachStdin: io.stdin !== null, AttachStdout: true, AttachStderr: true, Tty: tty },
    });
    const start = { Detach: false, Tty: tty };
    const frames = new DemuxStream();
    const deliver = (chunk: Buffer) => {
      if (tty) io.stdout.write(chunk);
      else for (const f of frames.push(chunk)) (f.stream === 2 ? io.stderr : io.stdout).write(f.data);
    };
    if (io.stdin === null) {
      const response = await this.http.stream("POST", `/exec/${created.Id}/start`, { body: start });
      for await (const chunk of response) deliver(chunk as Buffer);
    } else {
      // Input needs the hijacked connection: bytes both ways on one socket.
      const socket = await this.http.upgrade("POST", `/exec/${created.Id}/start`, { body: start });
      if (io.tty) await this.http.request("POST", `/exec/${created.Id}/resize`, { query: { h: io.tty.rows, w: io.tty.columns }, ok: [404, 409, 500] });
      const input = io.stdin;
      const onData = (d: Buffer) => socket.write(d);
      input.on("data", onData);
      // End of input closes the command's stdin (a half-close): its output still comes back.
      input.once("end", () => socket.end());
      socket.on("data", deliver);
      await new Promise<void>((resolve) => {
        socket.once("close", resolve);
        socket.once("error", () => resolve());
      });
      input.off("data", onData);
    }
    const { body: info } = await this.http.request<{ ExitCode: number | null }>("GET", `/exec/${created.Id}/json`);
    return info.ExitCode ?? -1;
  }

  async *logs(id: string, o: LogOptions, signal: AbortSignal): AsyncIterable<LogLine> {
    const response = await this.http.stream("GET", `/containers/${id}/logs`, {
      query: { stdout: true, stderr: true, timestamps: true, follow: o.follow, ...(o.tail !== null ? { tail: o.tail } : {}), ...(o.since !== null ? { since: o.since } : {}) },
      signal,
    });
    const frames = new DemuxStream();
    const partial = { stdout: "", stderr: "" };
    try {
      for await (const chunk of response) {
        for (const f of frames.push(chunk as Buffer)) {
          const stream = f.stream === 2 ? "stderr" : "stdout";
          const text = partial[stream] + f.data.toString("utf8");
          const lines = text.split("\n");
          partial[stream] = lines.pop()!;
          for (const line of lines) yield parseLogLine(line, stream);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    for (const stream of ["stdout", "stderr"] as const) if (partial[stream]) yield parseLogLine(partial[stream], stream);
  }

  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    const { body: created } = await this.http.request<{ Id: string }>("POST", `/containers/${id}/exec`, {
      body: { Cmd: cmd, AttachStdout: true, AttachStderr: true },
    });
    const response = await this.http.stream("POST", `/exec/${created.Id}/start`, { body: { Detach: false, Tty: false } });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const { stdout, stderr } = demux(Buffer.concat(chunks));
    const { body: info } = await this.http.request<{ ExitCode: number | null }>("GET", `/exec/${created.Id}/json`);
    return { exitCode: info.ExitCode ?? -1, output: stdout + stderr };
  }

  async pastEvents(labelFilters: string[], sinceMs: number): Promise<EngineEvent[]> {
    const events: EngineEvent[] = [];
    const until = Math.ceil(Date.now() / 1000);
    for await (const e of this.eventStream({ since: Math.floor(sinceMs / 1000), until }, labelFilters, new AbortController().signal)) events.push(e);
    return events;
  }

  events(labelFilters: string[], signal: AbortSignal): AsyncIterable<EngineEvent> {
    return this.eventStream({}, labelFilters, signal);
  }

  private async *eventStream(window: { since?: number; until?: number }, labelFilters: string[], signal: AbortSignal): AsyncIterable<EngineEvent> {
    const response = await this.http.stream("GET", "/events", { query: { ...window, filters: { type: ["container"], label: labelFilters } }, signal });
    let pending = "";
    try {
      for await (const chunk of response) {
        pending += String(chunk);
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue;
          const e = JSON.parse(line) as { Action?: string; status?: string; id?: string; Actor?: { ID: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };
          // Attributes carry the container's name, its labels and, on "die", its exitCode.
          yield {
            action: (e.Action ?? e.status ?? "").split(":")[0]!,
            id: e.Actor?.ID ?? e.id ?? "",
            attributes: e.Actor?.Attributes ?? {},
            time: e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000,
          };
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }
}
