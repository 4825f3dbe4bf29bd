// An in-memory engine for command tests: it records every call and models just enough of
// Docker (names reserved atomically, labels, states, the sandbox's listener probe).
import type { Clock } from "../../src/clock.js";
import type { Deps } from "../../src/commands/context.js";
import type { Engine } from "../../src/engine.js";
import type { ContainerConfig, ContainerDetails, ContainerSummary, ExecResult } from "../../src/engine-types.js";
import { EngineError } from "../../src/errors.js";
import { PlainReporter, type Output } from "../../src/report.js";

interface FakeContainer {
  id: string;
  config: ContainerConfig;
  state: string;
  created: number;
}

export class FakeEngine implements Engine {
  readonly address = "unix:///fake.sock";
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  images: Record<string, string> = { "pod-sandbox:latest": "sha256:sandbox", web: "sha256:web" };
  /** Replicas whose server exits at once, by container name. */
  crashing = new Set<string>();
  private next = 1;

  private byIdOrName(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.config.name === idOrName);
  }

  async listContainers(labelFilters: string[]): Promise<ContainerSummary[]> {
    this.calls.push(`list ${labelFilters.join(",")}`);
    const match = (c: FakeContainer) =>
      labelFilters.every((f) => {
        const [k, v] = f.split("=");
        return v === undefined ? k! in c.config.Labels : c.config.Labels[k!] === v;
      });
    return [...this.containers.values()].filter(match).map((c) => ({
      id: c.id,
      name: c.config.name,
      image: c.config.Image,
      imageId: this.images[c.config.Image] ?? c.config.Image,
      state: c.state,
      status: c.state,
      created: c.created,
      labels: c.config.Labels,
      networkMode: c.config.HostConfig.NetworkMode ?? "bridge",
      ports: Object.entries(c.config.HostConfig.PortBindings ?? {}).flatMap(([key, binds]) =>
        binds.map((b) => ({ hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(key.split("/")[0]), protocol: key.split("/")[1]! })),
      ),
    }));
  }

  kernelVersion = "6.1.0";
  imageUsers: Record<string, string> = {};

  async info() {
    return { kernelVersion: this.kernelVersion };
  }

  async image(ref: string) {
    this.calls.push(`image ${ref}`);
    // Docker resolves an id as well as a reference.
    const byId = Object.keys(this.images).find((r) => this.images[r] === ref);
    const name = ref in this.images ? ref : byId;
    return name ? { id: this.images[name]!, user: this.imageUsers[name] ?? "" } : null;
  }

  async buildImage(_dir: string, _files: string[], tag: string): Promise<void> {
    this.calls.push(`build ${tag}`);
  }

  async createContainer(config: ContainerConfig): Promise<string> {
    this.calls.push(`create ${config.name}`);
    if (this.byIdOrName(config.name)) throw new EngineError(`create container ${config.name}: Conflict`, undefined, 409);
    const id = `id${this.next++}`;
    this.containers.set(id, { id, config, state: "created", created: 1000 + this.next });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.push(`start ${this.byIdOrName(id)!.config.name}`);
    const c = this.byIdOrName(id)!;
    c.state = this.crashing.has(c.config.name) ? "exited" : "running";
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.byIdOrName(id);
    this.calls.push(`stop ${c?.config.name ?? id}`);
    if (c) c.state = "exited";
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.byIdOrName(id);
    this.calls.push(`remove ${c?.config.name ?? id}`);
    if (c) this.containers.delete(c.id);
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const c = this.byIdOrName(id)!;
    this.calls.push(`rename ${c.config.name} ${name}`);
    c.config = { ...c.config, name };
  }

  async inspectContainer(id: string): Promise<ContainerDetails | null> {
    const c = this.byIdOrName(id);
    if (!c) return null;
    return {
      id: c.id,
      name: c.config.name,
      state: c.state,
      running: c.state === "running",
      exitCode: c.state === "exited" ? 1 : 0,
      restartCount: 0,
      oomKilled: false,
      error: "",
      labels: c.config.Labels,
    };
  }

  async logTail(id: string): Promise<string[]> {
    const c = this.byIdOrName(id);
    return c && this.crashing.has(c.config.name) ? ["listen tcp4 0.0.0.0:8080: bind: address already in use"] : [];
  }

  /** The probe: one listener per running replica that joined this sandbox. */
  async exec(id: string, cmd: string[]): Promise<ExecResult> {
    const listeners = [...this.containers.values()].filter(
      (c) => c.state === "running" && c.config.HostConfig.NetworkMode === `container:${id}`,
    ).length;
    return { exitCode: 0, output: cmd.slice(2).map((p) => `${p} ${listeners}\n`).join("") };
  }

  /** Names of the containers now on the engine, sorted. */
  names(): string[] {
    return [...this.containers.values()].map((c) => c.config.name).sort();
  }
}

export const instantClock: Clock = {
  now: (() => {
    let t = 0;
    return () => (t += 50);
  })(),
  sleep: async () => {},
};

export interface Captured {
  out: string[];
  err: string[];
}

export function fakeDeps(engine: Engine, files: Record<string, string> = {}): { deps: Deps; captured: Captured } {
  const captured: Captured = { out: [], err: [] };
  const output: Output = { out: (t) => captured.out.push(t), err: (t) => captured.err.push(t) };
  return {
    captured,
    deps: {
      engine: () => engine,
      clock: instantClock,
      environ: { HOME: "/root" },
      readFile: (path) => {
        if (!(path in files)) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
        return files[path]!;
      },
      reporter: () => new PlainReporter(output),
    },
  };
}
