// An in-memory engine for command tests: it records every call and models just enough of
// Docker — names reserved atomically, labels, states and start times, network namespaces
// that a sandbox's restart replaces, the sandbox's listener probe with socket inodes.
import type { Deps } from "../../src/commands/shared/deps.js";
import type { Clock } from "../../src/clock.js";
import type { Engine } from "../../src/engine/engine.js";
import type { ContainerConfig, ContainerInfo, ContainerSummary, EngineEvent, ExecResult, ExecStreams, LogLine, PullProgress, StatsSample } from "../../src/engine/types.js";
import { EngineError, ImagePullError } from "../../src/errors.js";
import { pullError } from "../../src/engine/pull.js";
import { Probes, type HostFiles } from "../../src/probes/probes.js";
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
  /** Which engine it answers as: Podman's compatible API has no update endpoint. */
  flavour: "docker" | "podman" = "docker";
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
    return { kernelVersion: this.kernelVersion, serverVersion: "20.10.24", apiVersion: "1.41", os: "fake", engine: this.flavour, engineVersion: this.flavour === "podman" ? "4.3.1" : "20.10.24" };
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
      health: this.healthOf(c),
    };
  }

  /** Health a test sets per container id or name; else healthy once running, for containers with a check. */
  health: Record<string, "starting" | "healthy" | "unhealthy"> = {};
  /** Images whose HEALTHCHECK replicas inherit. */
  imageHealthchecks = new Set<string>();

  private healthOf(c: FakeContainer): ContainerInfo["health"] {
    const test = c.config.Healthcheck?.Test;
    const checked = test ? test.length > 0 && test[0] !== "NONE" : this.imageHealthchecks.has(c.config.Image);
    if (!checked || c.state !== "running") return null;
    const status = this.health[c.id] ?? this.health[c.config.name] ?? "healthy";
    return { status, failingStreak: status === "unhealthy" ? 3 : 0, lastOutput: status === "unhealthy" ? "HTTP 503 from /health" : "ok", lastExitCode: status === "unhealthy" ? 1 : 0 };
  }

  async image(ref: string) {
    this.calls.push(`image ${ref}`);
    // Docker resolves an id as well as a reference.
    const byId = Object.keys(this.images).find((r) => this.images[r] === ref);
    const name = ref in this.images ? ref : byId;
    if (!name) return null;
    const id = this.images[name]!;
    return { id, user: this.imageUsers[name] ?? "", repoDigests: this.repoDigests[id] ?? [], healthcheck: this.imageHealthchecks.has(name) };
  }

  /** A registry's tags: reference → the image id it would pull and the manifest digest it has. */
  registry: Record<string, { id: string; digest: string }> = {};
  /** Image id → its repository digests, once pulled. */
  repoDigests: Record<string, string[]> = {};

  private fromRegistry(ref: string): { id: string; digest: string } {
    const byDigest = Object.entries(this.registry).find(([r, t]) => ref === `${r.replace(/:[^:/]*$/, "")}@${t.digest}`)?.[1];
    const found = this.registry[ref] ?? byDigest;
    if (!found) throw new ImagePullError(`image ${ref} is not found in fake.registry`, undefined, "not-found", ref, "fake.registry");
    return found;
  }

  async pull(ref: string, _auth: string | null, onProgress: (p: PullProgress) => void): Promise<void> {
    this.calls.push(`pull ${ref}`);
    try {
      this.fault(`pull ${ref}`);
    } catch (err) {
      // As the adapter does: a failed pull is an ImagePullError, read from the engine's words.
      throw pullError("pull", ref, (err as Error).message, null, null);
    }
    const { id, digest } = this.fromRegistry(ref);
    onProgress({ id: "layer1", status: "Pull complete", current: null, total: null });
    this.images[ref] = id;
    const repository = ref.replace(/@.*$/, "").replace(/:[^:/]*$/, "");
    this.repoDigests[id] = [...new Set([...(this.repoDigests[id] ?? []), `${repository}@${digest}`])];
  }

  async distribution(ref: string): Promise<{ digest: string } | null> {
    this.calls.push(`distribution ${ref}`);
    this.fault(`distribution ${ref}`);
    if (this.flavour === "podman") return null; // Podman 4.3 has no /distribution
    return { digest: this.fromRegistry(ref).digest };
  }

  async buildImage(_dir: string, _files: string[], tag: string): Promise<void> {
    this.calls.push(`build ${tag}`);
    this.images[tag] = `sha256:${tag}`;
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    this.calls.push(`create ${config.name}`);
    this.fault(`create ${config.name}`);
    if (this.find(config.name)) throw new EngineError(`create container ${config.name}: Conflict. The container name "/${config.name}" is already in use`, undefined, 409);
    const id = `id${this.next++}`;
    this.containers.set(id, { id, config, state: "created", created: this.tick(), startedAt: 0, finishedAt: 0, exitCode: 0, restartCount: 0, netns: 0, starts: 0 });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.find(id)!;
    this.calls.push(`start ${c.config.name}`);
    this.fault(`start ${c.config.name}`);
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

  async stopContainer(id: string): Promise<boolean> {
    const c = this.find(id);
    this.calls.push(`stop ${c?.config.name ?? id}`);
    this.fault(`stop ${c?.config.name ?? id}`);
    if (c && c.state === "running") {
      c.state = "exited";
      c.exitCode = 0;
      c.finishedAt = this.tick();
      return true;
    }
    return false;
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.find(id);
    this.calls.push(`remove ${c?.config.name ?? id}`);
    this.fault(`remove ${c?.config.name ?? id}`);
    if (c) this.containers.delete(c.id);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const c = this.find(id)!;
    this.calls.push(`rename ${c.config.name} ${name}`);
    this.fault(`rename ${c.config.name}`);
    if (this.find(name)) throw new EngineError(`rename: Conflict`, undefined, 409);
    c.config = { ...c.config, name };
  }

  async setRestartPolicy(id: string, policy: string): Promise<void> {
    const c = this.find(id)!;
    if (this.flavour === "podman") throw new EngineError(`set the restart policy of container ${id.slice(0, 12)}: Not Found`);
    this.calls.push(`update ${c.config.name} restart=${policy}`);
    this.fault(`update ${c.config.name}`);
    c.config = { ...c.config, HostConfig: { ...c.config.HostConfig, RestartPolicy: { Name: policy } } };
  }

  async logTail(id: string): Promise<string[]> {
    const c = this.find(id);
    return c && this.crashing.has(c.config.name) ? ["listen tcp4 0.0.0.0:8080: bind: address already in use"] : [];
  }

  /** Rules written into sandboxes, by sandbox name, the latest last. */
  readonly rulesets: Record<string, string[]> = {};

  async execWithInput(id: string, cmd: string[], input: string): Promise<ExecResult> {
    const c = this.find(id)!;
    this.calls.push(`exec ${c.config.name} ${cmd.join(" ")}`);
    this.fault(`exec ${cmd[1] ?? cmd[0]}`);
    (this.rulesets[c.config.name] ??= []).push(input);
    return { exitCode: 0, output: "" };
  }

  /**
   * The sandbox's probes: `probe` counts one listener per running replica in this sandbox's
   * current namespace; `connect` (dnat) answers for each replica address that runs.
   */
  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    this.fault(`exec ${cmd[1] ?? cmd[0]}`);
    const sandbox = this.find(id)!;
    if (cmd[1] === "connect") {
      const running = new Set([...this.containers.values()].filter((c) => c.state === "running").map((c) => `10.0.0.${c.id.slice(2)}`));
      return { exitCode: 0, output: cmd.slice(2).map((t) => `${t} ${running.has(t.split(":")[0]!) ? "ok" : "refused"}\n`).join("") };
    }
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

  /** The engine host's sysctls, as the probes read them from /proc/sys. */
  hostSysctls: Record<string, string> = {};

  /** The files of the engine's host, as probes see them: only sysctls (no container process is on this host). */
  readonly hostFiles: HostFiles = {
    read: (path) => {
      const m = /^\/proc\/sys\/(.*)$/.exec(path);
      return m ? (this.hostSysctls[m[1]!.replace(/\//g, ".")] ?? null) : null;
    },
  };

  /** Calls that fail, by the words their record in `calls` starts with ("create web-2", "start web-sandbox", "exec nat"). */
  readonly failing = new Map<string, string>();

  /** Makes the next calls starting with `call` fail with the engine's `message`. */
  fail(call: string, message = `injected failure of ${call}`): void {
    this.failing.set(call, message);
  }

  private fault(call: string): void {
    for (const [prefix, message] of this.failing) if (call.startsWith(prefix)) throw new EngineError(message);
  }

  /** Networks and volumes by name, with their labels. */
  networks = new Map<string, { id: string; labels: Record<string, string>; driver: string; internal: boolean }>([["bridge", { id: "net-bridge", labels: {}, driver: "bridge", internal: false }]]);
  volumes = new Map<string, { labels: Record<string, string>; driver: string }>();

  private labelled(labels: Record<string, string>, filters: string[]): boolean {
    return filters.every((f) => {
      const [k, v] = f.split("=");
      return v === undefined ? k! in labels : labels[k!] === v;
    });
  }

  async listNetworks(labelFilters: string[]) {
    return [...this.networks].filter(([, n]) => this.labelled(n.labels, labelFilters)).map(([name, n]) => ({ id: n.id, name, labels: n.labels, driver: n.driver, internal: n.internal }));
  }

  async inspectNetwork(name: string) {
    const n = this.networks.get(name) ?? [...this.networks.entries()].find(([, x]) => x.id === name)?.[1];
    const key = [...this.networks.entries()].find(([, x]) => x === n)?.[0];
    return n && key ? { id: n.id, name: key, labels: n.labels, driver: n.driver, internal: n.internal } : null;
  }

  async createNetwork(spec: { name: string; driver?: string; internal?: boolean; labels: Record<string, string> }): Promise<string> {
    this.calls.push(`create network ${spec.name}`);
    this.fault(`create network ${spec.name}`);
    if (this.networks.has(spec.name)) throw new EngineError(`network with name ${spec.name} already exists`, undefined, 409);
    const id = `net${this.next++}`;
    this.networks.set(spec.name, { id, labels: spec.labels, driver: spec.driver ?? "bridge", internal: spec.internal ?? false });
    return id;
  }

  async removeNetwork(id: string): Promise<void> {
    const entry = [...this.networks.entries()].find(([name, n]) => n.id === id || name === id);
    this.calls.push(`remove network ${entry?.[0] ?? id}`);
    if (entry) this.networks.delete(entry[0]);
  }

  async listVolumes(labelFilters: string[]) {
    return [...this.volumes].filter(([, v]) => this.labelled(v.labels, labelFilters)).map(([name, v]) => ({ name, labels: v.labels, driver: v.driver }));
  }

  async inspectVolume(name: string) {
    const v = this.volumes.get(name);
    return v ? { name, labels: v.labels, driver: v.driver } : null;
  }

  async createVolume(spec: { name: string; labels: Record<string, string>; driver?: string }): Promise<string> {
    this.calls.push(`create volume ${spec.name}`);
    this.volumes.set(spec.name, { labels: spec.labels, driver: spec.driver ?? "local" });
    return spec.name;
  }

  async removeVolume(name: string): Promise<void> {
    this.calls.push(`remove volume ${name}`);
    this.volumes.delete(name);
  }

  /** Label-only images by reference: where records are kept. */
  readonly labelledImages = new Map<string, { id: string; labels: Record<string, string>; created: number }>();

  async createLabelledImage(repoTag: string, labels: Record<string, string>): Promise<string> {
    this.calls.push(`create image ${repoTag}`);
    this.fault(`create image ${repoTag}`);
    const id = `sha256:img${this.next++}`;
    // Podman qualifies a short name with localhost/, in its listings too.
    this.labelledImages.set(this.flavour === "podman" && !repoTag.includes("/") ? `localhost/${repoTag}` : repoTag, { id, labels, created: this.tick() });
    return id;
  }

  async listImages(labelFilters: string[]) {
    return [...this.labelledImages].filter(([, i]) => this.labelled(i.labels, labelFilters)).map(([tag, i]) => ({ id: i.id, repoTags: [tag], labels: i.labels, created: i.created }));
  }

  async removeImage(ref: string): Promise<void> {
    this.calls.push(`remove image ${ref}`);
    this.labelledImages.delete(ref);
    if (this.flavour === "podman") this.labelledImages.delete(`localhost/${ref}`);
  }

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

  /** Names of the pod's containers (records are images now: `recordRefs`). */
  podNames(): string[] {
    return this.names().filter((n) => !/-record\.\d+\.[ab]$/.test(n));
  }

  /** The references of the label-only images that hold records, sorted. */
  recordRefs(): string[] {
    return [...this.labelledImages.keys()].sort();
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
      probes: (e) => new Probes(e, engine instanceof FakeEngine ? engine.hostFiles : { read: () => null }),
      auth: async () => null,
      clock: instantClock(),
      environ: { HOME: "/root", POD_AGENT: "0", ...environ },
      readFile: (path) => {
        if (!(path in files)) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return files[path]!;
      },
      reporter: async (mode) => (mode === "events" ? new JsonReporter(output) : mode === "document" ? new DocumentReporter(output) : new PlainReporter(output)),
      changing: () => undefined,
      dispose: () => undefined,
    },
  };
}
