// The engine as the rest of pod sees it: small interfaces, one per kind of work
// (testcontainers' ContainerClient, ImageClient, …), so each part asks only for what it
// uses, commands can be tested with an in-memory fake, and the one adapter (./docker.ts)
// implements them all on dockerode. Probes that read /proc or open sockets are not here:
// they live in src/probes/, on top of these.
import type { ContainerConfig, ContainerInfo, ContainerSummary, EngineEvent, EngineInfo, ExecResult, ExecStreams, ImageInfo, ImageSummary, LogLine, LogOptions, NetworkInfo, NetworkSpec, PullProgress, StatsSample, VolumeInfo, VolumeSpec } from "./types.js";

/** The sandbox image's program (fixtures/sandbox): its probe, connect and nat modes answer from inside a pod's namespace. */
export const SANDBOX_PROGRAM = "/pod-sandbox";

/** Which engine, and the link to it. */
export interface SystemClient {
  /** Where pod talks to the engine, for messages: `unix:///var/run/docker.sock`. */
  readonly address: string;
  info(): Promise<EngineInfo>;
  /** Lets the process exit: drops kept-alive connections. */
  close(): void;
}

export interface ContainerClient {
  /** Containers carrying every label filter (`key` or `key=value`), running or not. */
  listContainers(labelFilters: string[]): Promise<ContainerSummary[]>;
  /** null when no such container exists. */
  inspectContainer(idOrName: string): Promise<ContainerInfo | null>;
  createContainer(config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Joins a created container to another network, under these extra DNS names there. */
  connectNetwork(network: string, id: string, aliases: string[]): Promise<void>;
  /**
   * Stop signal, then kill after timeoutS (null: the container's own stop timeout). Whether
   * it was running: false when it had already exited (304) or is gone (404).
   */
  stopContainer(id: string, timeoutS: number | null): Promise<boolean>;
  /** Forced, with its anonymous volumes; a container already gone counts as removed. */
  removeContainer(id: string): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** `docker update --restart`: a replica gets its restart policy only once it serves. */
  setRestartPolicy(id: string, policy: string): Promise<void>;
  /** One resource sample (the engine takes about a second to have a CPU rate); null when it is gone. */
  stats(id: string): Promise<StatsSample | null>;
}

/** Running commands inside containers. */
export interface ExecClient {
  exec(id: string, cmd: string[]): Promise<ExecResult>;
  /** Runs `cmd` in the container with `input` on its stdin; its output and exit code. */
  execWithInput(id: string, cmd: string[], input: string): Promise<ExecResult>;
  /** Runs `cmd` in the container attached to these streams (`docker exec [-i] [-t]`); its exit code. */
  execAttached(id: string, cmd: string[], streams: ExecStreams): Promise<number>;
}

export interface ImageClient {
  /** The image a reference names, or null when the engine has no such image. */
  image(ref: string): Promise<ImageInfo | null>;
  buildImage(contextDir: string, files: string[], tag: string): Promise<void>;
  /**
   * Pulls `ref` (a bare name means its `latest`), reporting each line of the engine's
   * progress. `auth` is the X-Registry-Auth value, already encoded; null: anonymous. A
   * failure is an ImagePullError (not-found, unauthorized, unreachable, other) that never
   * contains the credentials.
   */
  pull(ref: string, auth: string | null, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  /**
   * The digest the registry has for `ref` now, without pulling (GET /distribution/{name}/json);
   * fails as pull does. null: the engine cannot ask (Podman 4.3 has no such endpoint).
   */
  distribution(ref: string, auth: string | null): Promise<{ digest: string } | null>;
}

/** What containers write and what the engine says happened to them. */
export interface EventClient {
  logTail(id: string, lines: number): Promise<string[]>;
  /** A container's output line by line, with the engine's timestamps; with `follow`, until it stops or `signal` aborts. */
  logs(id: string, o: LogOptions, signal: AbortSignal): AsyncIterable<LogLine>;
  /**
   * The engine's container events from now on (or from `sinceMs`, unix ms, replayed first),
   * until `signal` aborts; ends (or throws) when the connection to the engine is lost.
   */
  events(labelFilters: string[], signal: AbortSignal, sinceMs?: number): AsyncIterable<EngineEvent>;
  /** Container events the engine still holds from `sinceMs` until now (a bounded buffer, lost on restart). */
  pastEvents(labelFilters: string[], sinceMs: number): Promise<EngineEvent[]>;
}

/** Networks and volumes, for compose projects. */
export interface NetworkClient {
  /** Networks carrying every label filter. */
  listNetworks(labelFilters: string[]): Promise<NetworkInfo[]>;
  /** null when there is no such network. */
  inspectNetwork(name: string): Promise<NetworkInfo | null>;
  /** The new network's id. */
  createNetwork(spec: NetworkSpec): Promise<string>;
  /** A network already gone counts as removed. */
  removeNetwork(id: string): Promise<void>;
}

export interface VolumeClient {
  listVolumes(labelFilters: string[]): Promise<VolumeInfo[]>;
  inspectVolume(name: string): Promise<VolumeInfo | null>;
  /** The new volume's name. */
  createVolume(spec: VolumeSpec): Promise<string>;
  /** A volume already gone counts as removed. */
  removeVolume(name: string): Promise<void>;
}

/**
 * Images that hold only labels: where pod keeps a pod's record, since no prune of
 * containers, volumes or dangling images touches a tagged image.
 */
export interface LabelledImageClient {
  /** An image with no files, only these labels, under `repoTag`; its id. */
  createLabelledImage(repoTag: string, labels: Record<string, string>): Promise<string>;
  listImages(labelFilters: string[]): Promise<ImageSummary[]>;
  /** An image already gone counts as removed. */
  removeImage(ref: string): Promise<void>;
}

/** Everything the adapter offers; most code takes one of the parts above. */
export interface Engine extends SystemClient, ContainerClient, ExecClient, ImageClient, EventClient, NetworkClient, VolumeClient, LabelledImageClient {}
