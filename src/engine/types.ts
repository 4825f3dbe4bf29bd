// The shapes that cross the one door to the engine (src/engine/docker.ts). Plain data, so
// the planner and the tests never see the wire format.

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}

/** A container as `GET /containers/json` lists it: enough to find a pod's containers. */
export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  labels: Record<string, string>;
  state: string;
  /** Unix ms (the listing has seconds). */
  created: number;
}

export interface ContainerNetwork {
  name: string;
  ip: string;
  ipv6: string;
  aliases: string[];
}

/** A container as `GET /containers/{id}/json` describes it: what observing a pod needs. */
export interface ContainerInfo {
  id: string;
  name: string;
  /** The reference it was created from (may be an image id). */
  image: string;
  imageId: string;
  /** Unix ms. */
  created: number;
  labels: Record<string, string>;
  /** created, running, paused, restarting, removing, exited or dead. */
  state: string;
  running: boolean;
  restarting: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** The engine's own words when it could not start it, e.g. "cannot join network …". */
  error: string;
  /** Unix ms of the last start; 0 if never started. */
  startedAt: number;
  /** Unix ms of the last exit; 0 if never exited. */
  finishedAt: number;
  restartCount: number;
  restartPolicy: string;
  /** The main process on the engine's host; 0 when not running. */
  pid: number;
  networkMode: string;
  ports: PublishedPort[];
  networks: ContainerNetwork[];
  env: string[];
  /** The engine's healthcheck verdict; null when the container has no healthcheck. */
  health: ContainerHealth | null;
}

/** `State.Health` of an inspect, with its latest probe. */
export interface ContainerHealth {
  status: "starting" | "healthy" | "unhealthy";
  failingStreak: number;
  /** The latest probe's output ("" before the first). */
  lastOutput: string;
  /** null before the first probe. */
  lastExitCode: number | null;
}

/** A mount of HostConfig.Mounts, the parts pod sets. */
export interface MountConfig {
  Type: "bind" | "volume" | "tmpfs";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** The body of Docker's POST /containers/create, the parts pod sets. */
export interface ContainerConfig {
  name: string;
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  Labels: Record<string, string>;
  User?: string;
  Hostname?: string;
  StopTimeout?: number;
  StopSignal?: string;
  ExposedPorts?: Record<string, object>;
  /** Durations in nanoseconds, as the API takes them; Test as docker's ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"]. */
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  HostConfig: {
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    Sysctls?: Record<string, string>;
    RestartPolicy?: { Name: string; MaximumRetryCount?: number };
    Binds?: string[];
    Memory?: number;
    NanoCpus?: number;
    Dns?: string[];
    DnsSearch?: string[];
    DnsOptions?: string[];
    ExtraHosts?: string[];
    CapAdd?: string[];
    CapDrop?: string[];
    SecurityOpt?: string[];
    ReadonlyRootfs?: boolean;
    Init?: boolean;
    VolumesFrom?: string[];
    Mounts?: MountConfig[];
    /** Mount point → options, e.g. { "/run": "size=64m" }. */
    Tmpfs?: Record<string, string>;
  };
  NetworkingConfig?: {
    EndpointsConfig: Record<string, { Aliases?: string[] }>;
  };
}

export interface ImageInfo {
  id: string;
  /** The image's USER; "" runs as root. */
  user: string;
  /** `name@sha256:…` for each registry it was pulled from or pushed to; [] for a local build. */
  repoDigests: string[];
  /** Whether the image has a HEALTHCHECK (other than NONE). */
  healthcheck: boolean;
}

/** An image as `GET /images/json` lists it. */
export interface ImageSummary {
  id: string;
  /** name:tag; [] when untagged. */
  repoTags: string[];
  labels: Record<string, string>;
  /** Unix ms. */
  created: number;
}

/** One line of a pull's progress, as the engine streams it. */
export interface PullProgress {
  /** The layer (or the tag) the line is about; "" for the pull as a whole. */
  id: string;
  /** "Pulling fs layer", "Downloading", "Pull complete", "Digest: sha256:…", … */
  status: string;
  /** Bytes so far and in all, when the line counts bytes. */
  current: number | null;
  total: number | null;
}

export interface NetworkInfo {
  id: string;
  name: string;
  labels: Record<string, string>;
  driver: string;
  internal: boolean;
}

export interface NetworkSpec {
  name: string;
  driver?: string;
  internal?: boolean;
  labels: Record<string, string>;
  /** The driver's options, e.g. com.docker.network.bridge.name. */
  options?: Record<string, string>;
}

export interface VolumeInfo {
  name: string;
  labels: Record<string, string>;
  driver: string;
}

export interface VolumeSpec {
  name: string;
  labels: Record<string, string>;
  driver?: string;
}

export interface EngineInfo {
  /** The kernel of the engine's host, where the namespaces live. */
  kernelVersion: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  /** Which engine answers: Podman's compatible API names a component "Podman Engine". */
  engine: "docker" | "podman";
  /** That engine's own version (Podman's, not the Docker API's it imitates). */
  engineVersion: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

/** One container event from the engine's event stream. */
export interface EngineEvent {
  /** die, start, stop, destroy, kill, oom, restart, … */
  action: string;
  id: string;
  /** The container's name and labels, as the engine attaches them. */
  attributes: Record<string, string>;
  /** Unix ms. */
  time: number;
}

/** One line a container wrote. */
export interface LogLine {
  stream: "stdout" | "stderr";
  /** Unix ms, from the engine's timestamp. */
  time: number;
  /** The engine's own timestamp text (RFC 3339, nanoseconds). */
  stamp: string;
  text: string;
}

export interface LogOptions {
  follow: boolean;
  /** Lines from the end; null: all. */
  tail: number | null;
  /** Unix seconds (fractions allowed); null: from the start. */
  since: number | null;
}

export interface ExecStreams {
  /** null: no input (the command reads end-of-file). */
  stdin: NodeJS.ReadableStream | null;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** A terminal: raw bytes both ways, one stream; `size` is its rows and columns. */
  tty: { rows: number; columns: number } | null;
}

/** One resource sample of a container, with the previous CPU reading to compute a rate. */
export interface StatsSample {
  cpuTotal: number;
  precpuTotal: number;
  system: number;
  presystem: number;
  onlineCpus: number;
  memUsage: number;
  /** Page cache inside memUsage, which docker stats leaves out. */
  memCache: number;
  memLimit: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
}
