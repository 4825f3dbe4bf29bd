// The engine as the rest of pod sees it: a small interface, so commands can be tested with
// an in-memory fake and run for real through the one adapter (./docker.ts).
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

/** The sandbox image's program (fixtures/sandbox): its probe, connect and nat modes answer from inside a pod's namespace. */
export const SANDBOX_PROGRAM = "/pod-sandbox";

export interface Engine {
  /** Where pod talks to the engine, for messages: `unix:///var/run/docker.sock`. */
  readonly address: string;
  info(): Promise<EngineInfo>;
  /** Containers carrying every label filter (`key` or `key=value`), running or not. */
  listContainers(labelFilters: string[]): Promise<ContainerSummary[]>;
  /** null when no such container exists. */
  inspectContainer(idOrName: string): Promise<ContainerInfo | null>;
  /** The image a reference names, or null when the engine has no such image. */
  image(ref: string): Promise<ImageInfo | null>;
  buildImage(contextDir: string, files: string[], tag: string): Promise<void>;
  createContainer(config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Joins a created container to another network, under these extra DNS names there. */
  connectNetwork(network: string, id: string, aliases: string[]): Promise<void>;
  /** Stop signal, then kill after timeoutS (null: the container's own stop timeout). */
  stopContainer(id: string, timeoutS: number | null): Promise<void>;
  /** Forced, with its anonymous volumes; a container already gone counts as removed. */
  removeContainer(id: string): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** `docker update --restart`: a replica gets its restart policy only once it serves. */
  setRestartPolicy(id: string, policy: string): Promise<void>;
  logTail(id: string, lines: number): Promise<string[]>;
  /** A container's output line by line, with the engine's timestamps; with `follow`, until it stops or `signal` aborts. */
  logs(id: string, o: LogOptions, signal: AbortSignal): AsyncIterable<LogLine>;
  exec(id: string, cmd: string[]): Promise<ExecResult>;
  /**
   * The listening sockets in a sandbox's namespace, as `pod-sandbox probe PORTS…` prints
   * them: read from the host's /proc when the engine is on this host, else by exec.
   */
  probeListeners(sandboxId: string, ports: string[], pid?: number): Promise<string>;
  /**
   * Whether each `ip:port` accepts a TCP connection, as seen from the sandbox's network:
   * "ok", "refused", "timeout", "unreachable" or "error". From this host when the engine is
   * on it, else from inside the sandbox (`pod-sandbox connect`).
   */
  probeConnect(sandboxId: string, targets: string[], pid?: number): Promise<Record<string, string>>;
  /** Runs `cmd` in the container with `input` on its stdin; its output and exit code. */
  execWithInput(id: string, cmd: string[], input: string): Promise<ExecResult>;
  /** One resource sample (the engine takes about a second to have a CPU rate); null when it is gone. */
  stats(id: string): Promise<StatsSample | null>;
  /** Runs `cmd` in the container attached to these streams (`docker exec [-i] [-t]`); its exit code. */
  execAttached(id: string, cmd: string[], streams: ExecStreams): Promise<number>;
  /**
   * The engine's container events from now on, until `signal` aborts; ends (or throws) when
   * the connection to the engine is lost.
   */
  events(labelFilters: string[], signal: AbortSignal): AsyncIterable<EngineEvent>;
  /** Container events the engine still holds from `sinceMs` until now (a bounded buffer, lost on restart). */
  pastEvents(labelFilters: string[], sinceMs: number): Promise<EngineEvent[]>;
  /** A sysctl of the engine host's own network namespace, when pod can read it (a local engine); else null. */
  hostSysctl(name: string): Promise<string | null>;

  /**
   * Pulls `ref` (a bare name means its `latest`), reporting each line of the engine's
   * progress. `auth` is the X-Registry-Auth value, already encoded; null: anonymous. A
   * failure is an ImagePullError (not-found, unauthorized, unreachable, other) that never
   * contains the credentials.
   */
  pull(ref: string, auth: string | null, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  /** The digest the registry has for `ref` now, without pulling (GET /distribution/{name}/json); fails as pull does. */
  distribution(ref: string, auth: string | null): Promise<{ digest: string }>;

  /** Networks carrying every label filter. */
  listNetworks(labelFilters: string[]): Promise<NetworkInfo[]>;
  /** null when there is no such network. */
  inspectNetwork(name: string): Promise<NetworkInfo | null>;
  /** The new network's id. */
  createNetwork(spec: NetworkSpec): Promise<string>;
  /** A network already gone counts as removed. */
  removeNetwork(id: string): Promise<void>;
  listVolumes(labelFilters: string[]): Promise<VolumeInfo[]>;
  inspectVolume(name: string): Promise<VolumeInfo | null>;
  /** The new volume's name. */
  createVolume(spec: VolumeSpec): Promise<string>;
  /** A volume already gone counts as removed; one in use is refused (EngineError 409). */
  removeVolume(name: string): Promise<void>;

  /**
   * An image with no files, only these labels, tagged `repoTag`: the engine's prunes of
   * containers and volumes leave it, and any label value round-trips exactly. Its id.
   */
  createLabelledImage(repoTag: string, labels: Record<string, string>): Promise<string>;
  /** Images carrying every label filter. */
  listImages(labelFilters: string[]): Promise<ImageSummary[]>;
  /** Untags (and removes, when it was the last tag) an image; one already gone counts as removed. */
  removeImage(ref: string): Promise<void>;
  /** Lets the process exit: drops kept-alive connections. */
  close(): void;
}
