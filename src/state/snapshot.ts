// The I/O half of observing, the one read a command makes before it plans: the pod's
// containers (one labelled listing, then each described in parallel), and, for a change,
// the facts every check needs — the images involved, the engine's kernel and sysctls. Planning
// and every check are pure functions of this (state/observe.ts, plan/), so --dry-run gives the
// real run's verdict.
import type { ContainerClient, Engine, LabelledImageClient } from "../engine/engine.js";
import type { ContainerInfo, ContainerSummary, ImageInfo } from "../engine/types.js";
import type { EngineFacts } from "../modes/index.js";
import type { Probes } from "../probes/probes.js";
import { Label } from "./labels.js";
import { observeAll, observePod, type ObservedPod } from "./observe.js";

/** A never-started record or lock, as the listing already describes it: no inspect needed. */
function fromListing(c: ContainerSummary): ContainerInfo {
  return {
    id: c.id,
    name: c.name,
    image: "",
    imageId: "",
    created: c.created,
    labels: c.labels,
    state: c.state,
    running: c.state === "running",
    restarting: c.state === "restarting",
    exitCode: 0,
    oomKilled: false,
    error: "",
    startedAt: 0,
    finishedAt: 0,
    restartCount: 0,
    restartPolicy: "",
    pid: 0,
    networkMode: "none",
    ports: [],
    networks: [],
    env: [],
    health: null,
  };
}

async function describe(engine: ContainerClient, labelFilters: string[]): Promise<ContainerInfo[]> {
  const listed = await engine.listContainers(labelFilters);
  const described = await Promise.all(
    listed.map((c) => {
      const role = c.labels[Label.role];
      return (role === "record" || role === "lock") && c.state === "created" ? fromListing(c) : engine.inspectContainer(c.id);
    }),
  );
  // A container removed between the two calls is simply gone.
  return described.filter((c): c is ContainerInfo => c !== null);
}

/** One pod as the engine has it now: its containers, and the images that hold its record. */
export async function readPod(engine: ContainerClient & LabelledImageClient, pod: string): Promise<ObservedPod> {
  const [containers, records] = await Promise.all([describe(engine, [`${Label.pod}=${pod}`]), engine.listImages([`${Label.pod}=${pod}`, `${Label.role}=record`])]);
  return observePod(pod, containers, records);
}

/** Every pod on the engine, in name order. */
export async function readPods(engine: ContainerClient & LabelledImageClient): Promise<ObservedPod[]> {
  const [containers, records] = await Promise.all([describe(engine, [Label.pod]), engine.listImages([`${Label.role}=record`])]);
  return observeAll(containers, records);
}

/** net.ipv4.tcp_migrate_req came in Linux 5.14; Docker refuses an unknown sysctl. */
export function supportsMigrateReq(kernelVersion: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(kernelVersion);
  if (!match) return true; // unknown: ask for it, and let the engine say no
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 5 || (major === 5 && minor >= 14);
}

export async function readEngineFacts(engine: Engine, probes: Probes): Promise<EngineFacts> {
  const info = await engine.info();
  return {
    kernelVersion: info.kernelVersion,
    migrateReq: supportsMigrateReq(info.kernelVersion),
    hostMigrateReq: probes.hostSysctl("net.ipv4.tcp_migrate_req"),
    hostAddresses: probes.hostAddresses(),
    fixedRestartPolicy: info.engine === "podman",
  };
}

/** Everything a change is planned and checked on, read once. */
export interface Snapshot {
  pod: ObservedPod;
  facts: EngineFacts;
  /** What the engine says of each image asked about, by the reference or id asked with; null: it has none. */
  images: Record<string, ImageInfo | null>;
  /** Whether each network the change names exists on the engine. */
  networks: Record<string, boolean>;
}

/**
 * The pod, then what its change needs to know: the images `imagesOf` names for that pod
 * (the asked spec's and the recorded one's), each asked once, and the engine's facts.
 */
export async function readSnapshot(
  engine: Engine,
  probes: Probes,
  pod: string,
  wants: (observed: ObservedPod) => { images: string[]; networks: string[] },
  facts?: EngineFacts,
): Promise<Snapshot> {
  const observed = await readPod(engine, pod);
  const asked = wants(observed);
  const refs = [...new Set(asked.images.filter((r) => r !== ""))];
  // Docker's own networks are always there.
  const nets = [...new Set(asked.networks.filter((n) => n !== "bridge" && n !== "host"))];
  const [infos, found, engineFacts] = await Promise.all([
    Promise.all(refs.map((r) => engine.image(r))),
    Promise.all(nets.map((n) => engine.inspectNetwork(n))),
    facts ?? readEngineFacts(engine, probes),
  ]);
  return {
    pod: observed,
    facts: engineFacts,
    images: Object.fromEntries(refs.map((r, i) => [r, infos[i] ?? null])),
    networks: Object.fromEntries(nets.map((n, i) => [n, found[i] !== null])),
  };
}
