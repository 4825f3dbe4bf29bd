// The engine's answers (JSON as Docker and Podman's compatible API send it) as the plain
// shapes of ./types.ts. Pure: the adapter (./docker.ts) calls, these read.
import type {
  ContainerHealth,
  ContainerInfo,
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  ImageInfo,
  ImageSummary,
  LogLine,
  NetworkInfo,
  PublishedPort,
  PullProgress,
  StatsSample,
  VolumeInfo,
} from "./types.js";

/** RFC 3339 as Unix ms; Go's zero time ("0001-01-01…") and nonsense as 0. */
export function ms(time: string | undefined): number {
  if (!time || time.startsWith("0001-")) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : t;
}

export interface InspectBody {
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

/** null without a healthcheck (Docker leaves Health out; Podman may send an empty status). */
export function toHealth(h: InspectBody["State"]["Health"]): ContainerHealth | null {
  const status = h?.Status;
  if (status !== "starting" && status !== "healthy" && status !== "unhealthy") return null;
  const last = h?.Log?.at(-1);
  return {
    status,
    failingStreak: h?.FailingStreak ?? 0,
    lastOutput: last?.Output ?? "",
    lastExitCode: typeof last?.ExitCode === "number" ? last.ExitCode : null,
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

export interface ListedContainer {
  Id: string;
  Names: string[];
  Labels: Record<string, string> | null;
  State: string;
  Created: number;
}

export function toContainerSummary(c: ListedContainer): ContainerSummary {
  return { id: c.Id, name: (c.Names[0] ?? "").replace(/^\//, ""), labels: c.Labels ?? {}, state: c.State, created: c.Created * 1000 };
}

export interface ImageBody {
  Id: string;
  RepoDigests?: string[] | null;
  Config?: { User?: string; Healthcheck?: { Test?: string[] | null } | null } | null;
}

export function toImageInfo(body: ImageBody): ImageInfo {
  const test = body.Config?.Healthcheck?.Test ?? [];
  return {
    id: body.Id,
    user: body.Config?.User ?? "",
    repoDigests: body.RepoDigests ?? [],
    // Docker's HEALTHCHECK NONE is ["NONE"]; an empty test inherits, and there is nothing to inherit from.
    healthcheck: test.length > 0 && test[0] !== "NONE",
  };
}

export function toImageSummary(i: { Id: string; RepoTags?: string[] | null; Labels?: Record<string, string> | null; Created?: number }): ImageSummary {
  // An untagged image lists as "<none>:<none>" on Docker 20.10.
  return { id: i.Id, repoTags: (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>"), labels: i.Labels ?? {}, created: (i.Created ?? 0) * 1000 };
}

export interface VersionBody {
  Version?: string;
  ApiVersion?: string;
  KernelVersion?: string;
  Components?: { Name?: string; Version?: string }[] | null;
}

export function toEngineInfo(version: VersionBody, info: { KernelVersion?: string; ServerVersion?: string; OperatingSystem?: string }): EngineInfo {
  const podman = (version.Components ?? []).find((c) => c.Name === "Podman Engine");
  const serverVersion = info.ServerVersion || version.Version || "";
  return {
    kernelVersion: info.KernelVersion || version.KernelVersion || "",
    serverVersion,
    apiVersion: version.ApiVersion ?? "",
    os: info.OperatingSystem ?? "",
    engine: podman ? "podman" : "docker",
    engineVersion: podman?.Version ?? serverVersion,
  };
}

export function toNetworkInfo(n: { Id: string; Name: string; Labels?: Record<string, string> | null; Driver?: string; Internal?: boolean }): NetworkInfo {
  return { id: n.Id, name: n.Name, labels: n.Labels ?? {}, driver: n.Driver ?? "", internal: n.Internal ?? false };
}

export function toVolumeInfo(v: { Name: string; Labels?: Record<string, string> | null; Driver?: string }): VolumeInfo {
  return { name: v.Name, labels: v.Labels ?? {}, driver: v.Driver ?? "" };
}

export interface EventBody {
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID: string; Attributes?: Record<string, string> };
  timeNano?: number;
  time?: number;
}

/** Attributes carry the container's name, its labels and, on "die", its exitCode. */
export function toEngineEvent(e: EventBody): EngineEvent {
  return {
    // "exec_start: sh -c …" is an exec_start.
    action: (e.Action ?? e.status ?? "").split(":")[0]!,
    id: e.Actor?.ID ?? e.id ?? "",
    attributes: e.Actor?.Attributes ?? {},
    time: e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000,
  };
}

/** One line of a pull's JSON stream; null for a line that says nothing (an empty status). */
export function toPullProgress(e: { id?: string; status?: string; progressDetail?: { current?: number; total?: number } | null }): PullProgress | null {
  if (!e.status) return null;
  const detail = e.progressDetail ?? {};
  return {
    id: e.id ?? "",
    status: e.status,
    current: typeof detail.current === "number" ? detail.current : null,
    total: typeof detail.total === "number" && detail.total > 0 ? detail.total : null,
  };
}

/** "2026-11-22T10:00:00.123456789Z text": the engine's timestamp, then the line. */
export function parseLogLine(line: string, stream: "stdout" | "stderr"): LogLine {
  const space = line.indexOf(" ");
  const stamp = space > 0 ? line.slice(0, space) : "";
  const time = Date.parse(stamp);
  return Number.isNaN(time) ? { stream, time: 0, stamp: "", text: line } : { stream, time, stamp, text: line.slice(space + 1) };
}

export interface StatsBody {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
}

export function toStatsSample(body: StatsBody): StatsSample {
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
