// The agent as a container on the engine it manages: restart policy always, so Docker
// itself brings it back after a reboot or an engine crash; the engine socket mounted; no network, no
// capability, a read-only root, no new privileges. Its image is built here from this
// checkout — the node binary and its libraries, and pod's own bundle — with no registry.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkoutRoot } from "../checkout.js";
import type { Engine } from "../engine/engine.js";
import type { ContainerConfig, ContainerInfo } from "../engine/types.js";
import { ImageMissingError } from "../errors.js";
import { canonicalReference, parseReference } from "../podspec/reference.js";
import { Label, ownerProof } from "../state/labels.js";

export const AGENT_NAME = "pod-agent";
const AGENT_KEY = "pod-agent";
export const AGENT_LABEL = `${Label.pod.replace(/name$/, "")}agent`;
/** Its memory limit: enough for many pods, since specs are bounded at input and records in size. */
export const AGENT_MEMORY = 256 * 1024 * 1024;
/** Where the agent finds the engine's socket, inside its container: docker's default address. */
export const ENGINE_SOCKET = "/var/run/docker.sock";
/** Rootful Podman's socket (podman.socket), where a remote Podman engine serves. */
const PODMAN_SOCKET = "/run/podman/podman.sock";

/**
 * The engine's socket on the engine's host, which the agent mounts: the path pod itself
 * talks to when the engine is local; else the engine's default.
 */
export function hostSocket(address: string, engine: "docker" | "podman"): string {
  if (address.startsWith("unix://")) return address.slice("unix://".length);
  return engine === "podman" ? PODMAN_SOCKET : ENGINE_SOCKET;
}

function bundleDir(): string {
  return join(checkoutRoot(), "dist");
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)).map((g) => join(f, g)) : [f]));
}

/** The image tag names what is in it: this node and this bundle. */
export function agentImageTag(): string {
  const dist = bundleDir();
  if (!existsSync(join(dist, "pod.js"))) {
    throw new ImageMissingError("pod's bundle (dist/pod.js) is missing, so the agent's image cannot be built", "run `make build` in the pod checkout");
  }
  const hash = createHash("sha256").update(process.version);
  for (const f of files(dist).sort()) hash.update(f).update(readFileSync(join(dist, f)));
  return `pod-agent:${hash.digest("hex").slice(0, 12)}`;
}

/** The shared libraries node needs, as ldd lists them, and the dynamic loader. */
async function libraries(binary: string): Promise<string[]> {
  // Loaded here only: child_process costs every other command start-up time.
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

/** FROM scratch: node, its libraries, the bundle. */
export async function ensureAgentImage(engine: Engine, onBuild: (text: string) => void): Promise<string> {
  const tag = agentImageTag();
  if ((await engine.image(tag)) !== null) return tag;
  onBuild(`building the agent's image ${tag} (node ${process.version} and pod's bundle, FROM scratch)`);
  const context = mkdtempSync(join(tmpdir(), "pod-agent-"));
  try {
    const rootfs = join(context, "rootfs");
    const put = (from: string, to: string) => {
      mkdirSync(dirname(join(rootfs, to)), { recursive: true });
      copyFileSync(from, join(rootfs, to));
    };
    put(process.execPath, "/usr/bin/node");
    for (const lib of await libraries(process.execPath)) put(lib, lib);
    for (const f of files(bundleDir())) put(join(bundleDir(), f), join("/pod", f));
    writeFileSync(join(rootfs, "pod", "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(context, "Dockerfile"),
      ["FROM scratch", "COPY rootfs/ /", 'ENTRYPOINT ["/usr/bin/node", "--", "/pod/pod.js"]', 'CMD ["agent", "run"]', "STOPSIGNAL SIGTERM", ""].join("\n"),
    );
    await engine.buildImage(context, ["Dockerfile", "rootfs"], tag);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

/** The user's docker config directory, as the docker CLI finds it: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Record<string, string | undefined>): string | null {
  const home = env.HOME;
  return env.DOCKER_CONFIG || (home ? join(home, ".docker") : null);
}

/** Where the agent reads registry credentials for auto-update: the user's docker config directory, read-only. */
const AGENT_DOCKER_CONFIG = "/run/pod/docker-config";

/**
 * `dockerConfig`: the directory of the user's docker config.json on the engine's host, or
 * null. Mounted read-only so auto-update pulls with the user's `auths`; credential helpers,
 * being programs of the user's host, are not in the agent's image.
 */
export function agentConfig(image: string, socket: string = ENGINE_SOCKET, dockerConfig: string | null = null): ContainerConfig {
  return {
    name: AGENT_NAME,
    Image: image,
    Env: ["POD_AGENT_IN_CONTAINER=1", "NO_COLOR=1", ...(dockerConfig ? [`DOCKER_CONFIG=${AGENT_DOCKER_CONFIG}`] : [])],
    Labels: { [AGENT_LABEL]: "1", [Label.owner]: ownerProof(AGENT_KEY, AGENT_NAME, "lock", AGENT_NAME) },
    HostConfig: {
      Binds: [`${socket}:${ENGINE_SOCKET}`, ...(dockerConfig ? [`${dockerConfig}:${AGENT_DOCKER_CONFIG}:ro`] : [])],
      // "always", not "unless-stopped": after a kill -9 of dockerd, Docker 20.10 brings back
      // only "always" containers (measured). `pod agent stop` removes it, so it never fights the user.
      RestartPolicy: { Name: "always" },
      // It talks to the engine through the socket alone: no network, no capability.
      NetworkMode: "none",
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      Memory: AGENT_MEMORY,
    },
  };
}

function sameReference(a: string, b: string): boolean {
  try {
    const [x, y] = [parseReference(a), parseReference(b)];
    return x.kind !== "id" && y.kind !== "id" ? canonicalReference(x) === canonicalReference(y) : a === b;
  } catch {
    return a === b;
  }
}

export function isOurAgent(c: ContainerInfo): boolean {
  return c.name === AGENT_NAME && c.labels[Label.owner] === ownerProof(AGENT_KEY, AGENT_NAME, "lock", AGENT_NAME);
}

export type AgentState = { state: "absent" } | { state: "foreign" } | { state: "running" | "stopped"; info: ContainerInfo; current: boolean };

export async function agentState(engine: Engine): Promise<AgentState> {
  const info = await engine.inspectContainer(AGENT_NAME);
  if (!info) return { state: "absent" };
  if (!isOurAgent(info)) return { state: "foreign" };
  let current = false;
  try {
    // As references, not strings: Podman shows pod-agent:… as docker.io/library/pod-agent:….
    current = sameReference(info.image, agentImageTag());
  } catch {
    current = true; // no bundle here to compare with: take it as it is
  }
  return { state: info.running ? "running" : "stopped", info, current };
}

/** Starts the agent: the current image, a fresh container if the image changed. Returns what it did. */
export async function startAgent(engine: Engine, onBuild: (text: string) => void, dockerConfig: string | null = null): Promise<"started" | "already running" | "updated"> {
  const now = await agentState(engine);
  if (now.state === "foreign") {
    throw new ImageMissingError(`a container named ${AGENT_NAME} that pod did not make is in the way of the agent`, `pod never touches it: rename or remove it yourself (docker rm -f ${AGENT_NAME})`);
  }
  if (now.state === "running" && now.current) return "already running";
  const image = await ensureAgentImage(engine, onBuild);
  if (now.state !== "absent") await engine.removeContainer(now.info.id);
  // The user's docker config is a directory of this host: it is mounted only into a local engine's agent.
  const socket = hostSocket(engine.address, (await engine.info()).engine);
  const id = await engine.createContainer(agentConfig(image, socket, engine.address.startsWith("unix://") && dockerConfig && existsSync(dockerConfig) ? dockerConfig : null));
  await engine.startContainer(id);
  return now.state === "absent" ? "started" : "updated";
}

export async function stopAgent(engine: Engine): Promise<boolean> {
  const now = await agentState(engine);
  if (now.state === "absent" || now.state === "foreign") return false;
  await engine.stopContainer(now.info.id, 10);
  await engine.removeContainer(now.info.id);
  return true;
}

/**
 * The unit file for running the agent under systemd, on the engine's host. Podman restarts
 * nothing at boot by itself (Debian's podman-restart.service only brings back containers
 * with restart policy always): under systemd the agent comes back at boot and starts every
 * pod again, on either engine.
 */
export function systemdUnit(podBin: string, engine: { kind: "docker" | "podman"; address: string }): string {
  const service = engine.kind === "podman" ? "podman.socket" : "docker.service";
  const defaultAddress = `unix://${engine.kind === "podman" ? PODMAN_SOCKET : ENGINE_SOCKET}`;
  const address = engine.address.startsWith("unix://") ? engine.address : defaultAddress;
  return [
    "[Unit]",
    "Description=pod agent: keeps every pod on this engine as recorded",
    `After=${service}`,
    `Requires=${service}`,
    "",
    "[Service]",
    `ExecStart=${podBin} agent run`,
    "Restart=always",
    "RestartSec=2",
    "Environment=NO_COLOR=1",
    ...(address !== `unix://${ENGINE_SOCKET}` ? [`Environment=DOCKER_HOST=${address}`] : []),
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
