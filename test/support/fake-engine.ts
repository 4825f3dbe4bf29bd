// An in-memory engine for command tests: it records every call and models just enough of
// Docker — names reserved atomically, labels, states and start times, network namespaces
// that a sandbox's restart replaces, the sandbox's listener probe with socket inodes.
import type { Deps } from "../../src/cli/deps.js";
import type { Clock } from "../../src/clock.js";
import type { Engine } from "../../src/engine/engine.js";
import type {
  ContainerConfig,
  ContainerInfo,
  ContainerSummary,
  EngineEvent,
  ExecResult,
  ExecStreams,
  ImageSummary,
  LogLine,
  NetworkInfo,
  NetworkSpec,
  PullProgress,
  StatsSample,
  VolumeInfo,
  VolumeSpec,
} from "../../src/engine/types.js";
import { EngineError } from "../../src/errors.js";
import type { Output } from "../../src/report/output.js";
import { DocumentReporter, JsonReporter, PlainReporter } from "../../src/report/reporter.js";

interface FakeContainer {
  id: string;
  config: ContainerConfig;
  state: string;
  created: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  restartCount: number;
  /** The namespace generation: a sandbox's bumps on each start; a replica keeps the one it joined. */
  netns: number;
  starts: number;
}

export class FakeEngine implements Engine {
  readonly address = "unix:///fake.sock";
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  images: Record<string, string> = { "pod-sandbox:latest": "sha256:sandbox", web: "sha256:web", "web:v2": "sha256:web2" };
  imageUsers: Record<string, string> = {};
  kernelVersion = "6.1.0";
  /** Replicas whose server exits at once, by container name. */
  crashing = new Set<string>();
  private next = 1;
  private time = 1_000_000;

  private tick(): number {
    return (this.time += 10);
  }

  find(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.config.name === idOrName);
  }

  private sandboxOf(c: FakeContainer): FakeContainer | undefined {
    const mode = c.config.HostConfig.NetworkMode ?? "";
    return mode.startsWith("container:") ? this.containers.get(mode.slice("container:".length)) : undefined;
  }

  async info() {
    return { kernelVersion: this.kernelVersion, serverVersion: "20.10.24", apiVersion: "1.41", os: "fake", engine: "docker" as const, engineVersion: "20.10.24" };
  }

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    this.calls.push(`list ${labelFilters.join(",")}`);
    const match = (c: FakeContainer) =>
      labelFilters.every((f) => {
        const [k, v] = f.split("=");
        return v === undefined ? k! in c.config.Labels : c.config.Labels[k!] === v;
      });
    return [...this.containers.values()].filter(match).map((c) => ({ id: c.id, name: c.config.name, labels: c.config.Labels, state: c.state, created: c.created }));
  }

  async inspectContainer(idOrName: string): Promise<ContainerInfo | null> {
    const c = this.find(idOrName);
    if (!c) return null;
    const bindings = c.config.HostConfig.PortBindings ?? {};
    return {
      id: c.id,
      name: c.config.name,
      image: c.config.Image,
      imageId: this.images[c.config.Image] ?? c.config.Image,
      created: c.created,
      labels: c.config.Labels,
      state: c.state,
      running: c.state === "running",
      restarting: false,
      exitCode: c.exitCode,
      oomKilled: false,
      error: "",
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      restartCount: c.restartCount,
      restartPolicy: c.config.HostConfig.RestartPolicy?.Name ?? "",
      pid: c.state === "running" ? 1000 + c.starts : 0,
      networkMode: c.config.HostConfig.NetworkMode ?? "bridge",
      ports: c.state === "running" ? Object.entries(bindings).flatMap(([key, binds]) => binds.map((b) => ({ hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(key.split("/")[0]), protocol: key.split("/")[1]! }))) : [],
      // A container in a namespace of its own gets an address on its network.
      networks:
        c.state === "running" && !/^(container:|host$)/.test(c.config.HostConfig.NetworkMode ?? "")
          ? [{ name: c.config.HostConfig.NetworkMode ?? "bridge", ip: `10.0.0.${c.id.slice(2)}`, ipv6: "", aliases: [] }]
          : [],
      env: c.config.Env ?? [],
      health: null,
    };
  }

  async image(ref: string) {
    this.calls.push(`image ${ref}`);
    // Docker resolves an id as well as a reference.
    const byId = Object.keys(this.images).find((r) => this.images[r] === ref);
    const name = ref in this.images ? ref : byId;
    return name ? { id: this.images[name]!, user: this.imageUsers[name] ?? "", repoDigests: [], healthcheck: false } : null;
  }

  async buildImage(_dir: string, _files: string[], tag: string): Promise<void> {
    this.calls.push(`build ${tag}`);
    this.images[tag] = `sha256:${tag}`;
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    this.calls.push(`create ${config.name}`);
    if (this.find(config.name)) throw new EngineError(`create container ${config.name}: Conflict. The container name "/${config.name}" is already in use`, undefined, 409);
    const id = `id${this.next++}`;
    this.containers.set(id, { id, config, state: "created", created: this.tick(), startedAt: 0, finishedAt: 0, exitCode: 0, restartCount: 0, netns: 0, starts: 0 });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.find(id)!;
    this.calls.push(`start ${c.config.name}`);
    c.starts++;
    c.startedAt = this.tick();
    const sandbox = this.sandboxOf(c);
    if (this.crashing.has(c.config.name)) {
      c.state = "exited";
      c.exitCode = 1;
      c.finishedAt = this.tick();
      return;
    }
    c.state = "running";
    if (sandbox) c.netns = sandbox.netns;
    else c.netns = this.next++; // a sandbox gets a new namespace on each start
  }

  async connectNetwork(network: string, id: string): Promise<void> {
    this.calls.push(`connect ${this.find(id)!.config.name} ${network}`);
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push(`stop ${c?.config.name ?? id}`);
    if (c && c.state === "running") {
      c.state = "exited";
      c.exitCode = 0;
      c.finishedAt = this.tick();
    }
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push(`remove ${c?.config.name ?? id}`);
    if (c) this.containers.delete(c.id);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const c = this.find(id)!;
    this.calls.push(`rename ${c.config.name} ${name}`);
    if (this.find(name)) throw new EngineError(`rename: Conflict`, undefined, 409);
    c.config = { ...c.config, name };
  }

  async setRestartPolicy(id: string, policy: string): Promise<void> {
    const c = this.find(id)!;
    this.calls.push(`update ${c.config.name} restart=${policy}`);
    c.config = { ...c.config, HostConfig: { ...c.config.HostConfig, RestartPolicy: { Name: policy } } };
  }

  async logTail(id: string): Promise<string[]> {
    const c = this.find(id);
    return c && this.crashing.has(c.config.name) ? ["listen tcp4 0.0.0.0:8080: bind: address already in use"] : [];
  }

  /** dnat: a replica answers at its address when it runs. */
  async probeConnect(_sandboxId: string, targets: string[]): Promise<Record<string, string>> {
    const running = new Set([...this.containers.values()].filter((c) => c.state === "running").map((c) => `10.0.0.${c.id.slice(2)}`));
    return Object.fromEntries(targets.map((t) => [t, running.has(t.split(":")[0]!) ? "ok" : "refused"]));
  }

  /** Rules written into sandboxes, by sandbox name, the latest last. */
  readonly rulesets: Record<string, string[]> = {};

  async execWithInput(id: string, cmd: string[], input: string): Promise<ExecResult> {
    const c = this.find(id)!;
    this.calls.push(`exec ${c.config.name} ${cmd.join(" ")}`);
    (this.rulesets[c.config.name] ??= []).push(input);
    return { exitCode: 0, output: "" };
  }

  async probeListeners(id: string, ports: string[]): Promise<string> {
    return (await this.exec(id, ["/pod-sandbox", "probe", ...ports])).output;
  }

  /** The probe: one listener per running replica in this sandbox's current namespace. */
  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    const sandbox = this.find(id)!;
    const onHost = (c: FakeContainer) => c.config.HostConfig.NetworkMode === "host";
    const listening = [...this.containers.values()].filter(
      (c) => c.state === "running" && (onHost(sandbox) ? onHost(c) && c !== sandbox && c.config.Labels["dev.pod.role"] === "replica" : this.sandboxOf(c) === sandbox && c.netns === sandbox.netns),
    );
    const inodes = listening.map((c) => `${c.id}.${c.starts}`).sort();
    return { exitCode: 0, output: cmd.slice(2).map((p) => `${p} ${inodes.length} ${inodes.join(",") || "-"}\n`).join("") };
  }

  /** Events pushed by a test, delivered to every follower until its signal aborts. */
  private readonly followers = new Set<(e: EngineEvent) => void>();

  emitEvent(e: EngineEvent): void {
    for (const f of this.followers) f(e);
  }

  async *events(_labelFilters: string[], signal: AbortSignal): AsyncIterable<EngineEvent> {
    const queue: EngineEvent[] = [];
    let wake: (() => void) | null = null;
    const follower = (e: EngineEvent) => {
      queue.push(e);
      wake?.();
    };
    this.followers.add(follower);
    try {
      while (!signal.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal.addEventListener("abort", () => resolve(), { once: true });
          });
          wake = null;
        }
        while (queue.length > 0) yield queue.shift()!;
      }
    } finally {
      this.followers.delete(follower);
    }
  }

  /** Log lines per container name, for `pod logs`. */
  logLines: Record<string, LogLine[]> = {};

  async *logs(id: string): AsyncIterable<LogLine> {
    const c = this.find(id);
    for (const line of (c && this.logLines[c.config.name]) ?? []) yield line;
  }

  async stats(): Promise<StatsSample | null> {
    return { cpuTotal: 2e9, precpuTotal: 1e9, system: 20e9, presystem: 10e9, onlineCpus: 2, memUsage: 12 * 2 ** 20, memCache: 2 * 2 ** 20, memLimit: 2 ** 30, netRx: 1000, netTx: 2000, blkRead: 0, blkWrite: 4096 };
  }

  /** `pod exec`: the command's words come back on stdout, its exit code is the number after "exit". */
  async execAttached(_id: string, cmd: string[], io: ExecStreams): Promise<number> {
    io.stdout.write(cmd.join(" ") + "\n");
    const i = cmd.indexOf("exit");
    return i >= 0 ? Number(cmd[i + 1]) : 0;
  }

  past: EngineEvent[] = [];

  async pastEvents(): Promise<EngineEvent[]> {
    return this.past;
  }

  hostSysctls: Record<string, string> = {};

  async hostSysctl(name: string): Promise<string | null> {
    return this.hostSysctls[name] ?? null;
  }

  // Registries, networks, volumes and label-only images: not modelled yet (no command uses them).
  async pull(ref: string, _auth: string | null, _onProgress: (p: PullProgress) => void): Promise<void> {
    this.calls.push(`pull ${ref}`);
  }

  async distribution(ref: string): Promise<{ digest: string }> {
    return { digest: `sha256:${ref}` };
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    return [];
  }

  async inspectNetwork(): Promise<NetworkInfo | null> {
    return null;
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    return `net-${spec.name}`;
  }

  async removeNetwork(): Promise<void> {}

  async listVolumes(): Promise<VolumeInfo[]> {
    return [];
  }

  async inspectVolume(): Promise<VolumeInfo | null> {
    return null;
  }

  async createVolume(spec: VolumeSpec): Promise<string> {
    return spec.name;
  }

  async removeVolume(): Promise<void> {}

  async createLabelledImage(repoTag: string): Promise<string> {
    return `sha256:${repoTag}`;
  }

  async listImages(): Promise<ImageSummary[]> {
    return [];
  }

  async removeImage(): Promise<void> {}

  close(): void {}

  // ---- faults, as a user's hand would inject them

  /** `docker restart` of a container: same id, and for a sandbox a new namespace. */
  async restart(name: string): Promise<void> {
    await this.stopContainer(name);
    await this.startContainer(name);
  }

  /** The server crashed and its restart policy brought it back. */
  crashAndRestart(name: string, exitCode = 137): void {
    const c = this.find(name)!;
    this.past.push({ action: "die", id: c.id, attributes: { name, exitCode: String(exitCode) }, time: this.tick() });
    c.restartCount++;
    c.starts++;
    c.startedAt = this.tick();
  }

  kill(name: string): void {
    const c = this.find(name)!;
    c.state = "exited";
    c.exitCode = 137;
    c.finishedAt = this.tick();
  }

  /** Names of the containers now on the engine, sorted. */
  names(): string[] {
    return [...this.containers.values()].map((c) => c.config.name).sort();
  }

  /** Names of the pod's containers other than its records. */
  podNames(): string[] {
    return this.names().filter((n) => !/-record\.\d+\.[ab]$/.test(n));
  }
}

export function instantClock(): Clock {
  let t = 0;
  return { now: () => (t += 50), sleep: async () => {} };
}

export interface Captured {
  out: string[];
  err: string[];
}

export function fakeDeps(engine: Engine, files: Record<string, string> = {}, environ: Record<string, string> = {}): { deps: Deps; captured: Captured } {
  const captured: Captured = { out: [], err: [] };
  const output: Output = { out: (t) => captured.out.push(t), err: (t) => captured.err.push(t) };
  return {
    captured,
    deps: {
      engine: () => engine,
      clock: instantClock(),
      environ: { HOME: "/root", POD_AGENT: "0", ...environ },
      readFile: (path) => {
        if (!(path in files)) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return files[path]!;
      },
      reporter: async (mode) => (mode === "events" ? new JsonReporter(output) : mode === "document" ? new DocumentReporter(output) : new PlainReporter(output)),
      dispose: () => undefined,
    },
  };
}
