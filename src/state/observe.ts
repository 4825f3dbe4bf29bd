// One snapshot of a pod, turned into plain data the planner reasons about. Pure: the engine
// calls that produced the container descriptions happen once per command, elsewhere
// (apply/snapshot.ts). Here: which containers are pod's own, the record, and each
// container's facts.
import type { ContainerHealth, ContainerInfo, ContainerNetwork, ImageSummary, PublishedPort } from "../engine/types.js";
import { PodNotFoundError } from "../errors.js";
import type { PodSpec, ReplicaSpec } from "../podspec/types.js";
import { isOwnName, Label, ownerProof, previousName, type Role } from "./labels.js";
import { decodeRecord, type PodRecord } from "./record.js";

/** The lock is made before a new pod has a key: it is signed with this one. */
export const LOCK_KEY = "pod-lock";

export interface ContainerRef {
  id: string;
  name: string;
}

/** Where one revision of a pod's record is kept: a label-only image (its name the reference), or, for older pods, a never-started container. */
export interface RecordCopy extends ContainerRef {
  revision: number;
  kind: "image" | "container";
}

export interface ObservedContainer extends ContainerRef {
  createdAs: string;
  state: string;
  running: boolean;
  restarting: boolean;
  /** Unix ms. */
  created: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  restartCount: number;
}

export interface ObservedSandbox extends ObservedContainer {
  networkHash: string;
  /** Its process on the engine's host, for reading its namespace's sockets there. */
  pid: number;
  /** The spec it was made for: the last line of defence when every record copy is lost. */
  spec: PodSpec | null;
  ports: PublishedPort[];
  networks: ContainerNetwork[];
  /** Whether it carries pod's probe program (/.pod) for its replicas' health checks: sandboxes made before them do not. */
  hasProbe: boolean;
}

export interface ObservedReplica extends ObservedContainer {
  number: number;
  specHash: string;
  generation: number;
  spec: ReplicaSpec | null;
  /** The reference it was created from. */
  image: string;
  /** The sandbox whose namespace it joined, from its NetworkMode (`container:<id>`). */
  joinedSandboxId: string | null;
  restartPolicy: string;
  networks: ContainerNetwork[];
  /** Its health check's verdict; null when it has none (or is not running). */
  health: ContainerHealth | null;
}

export interface ForeignContainer extends ContainerRef {
  /** Why pod does not take it for its own. */
  why: string;
}

export interface ObservedPod {
  name: string;
  /** The key the pod's own containers are signed with; null when none is found. */
  key: string | null;
  /** The newest record on the engine, or one rebuilt from the containers (`recovered`). */
  record: PodRecord | null;
  recovered: boolean;
  /** Every record copy, the newest revision's included: older ones are cleared on the next write. */
  recordCopies: RecordCopy[];
  sandbox: ObservedSandbox | null;
  replicas: ObservedReplica[];
  /** Replaced or failed replicas kept stopped for their logs: not part of the pod. */
  previous: ObservedReplica[];
  lock: (ContainerRef & { holder: string }) | null;
  /** Containers that carry the pod's labels but that pod did not make: never touched. */
  foreign: ForeignContainer[];
}

function parseJson<T>(text: string | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const ROLES = new Set<Role>(["sandbox", "replica", "record", "lock"]);

/** Why `c` is not provably pod's under `key`; null when it is. */
function disproof(c: ContainerInfo, pod: string, key: string | null): string | null {
  const role = c.labels[Label.role] as Role;
  const createdAs = c.labels[Label.createdAs];
  if (!ROLES.has(role)) return `unknown role "${c.labels[Label.role] ?? ""}"`;
  if (!createdAs) return "no proof that pod made it (no created-as label)";
  if (!isOwnName(c.name, createdAs, c.id)) return `its name is not the one pod gave it (${createdAs}): a copy, e.g. run from a committed image`;
  const signingKey = role === "lock" ? LOCK_KEY : key;
  if (signingKey === null || c.labels[Label.owner] !== ownerProof(signingKey, pod, role, createdAs)) {
    return "its labels do not carry the pod's proof of ownership";
  }
  if (role === "record" && c.state !== "created") return "a record is never started";
  return null;
}

/**
 * The pod's key: the one most of its self-consistent containers carry (a forged container
 * would have to outnumber the pod's own), the oldest container's on a tie.
 */
function podKey(containers: ContainerInfo[], pod: string): string | null {
  const votes = new Map<string, { count: number; oldest: number }>();
  for (const c of containers) {
    const key = c.labels[Label.key];
    if (!key || c.labels[Label.role] === "lock" || disproof(c, pod, key) !== null) continue;
    const v = votes.get(key) ?? { count: 0, oldest: Infinity };
    votes.set(key, { count: v.count + 1, oldest: Math.min(v.oldest, c.created) });
  }
  const ranked = [...votes].sort(([, a], [, b]) => b.count - a.count || a.oldest - b.oldest);
  return ranked[0]?.[0] ?? null;
}

function base(c: ContainerInfo): ObservedContainer {
  return {
    id: c.id,
    name: c.name,
    createdAs: c.labels[Label.createdAs] ?? c.name,
    state: c.state,
    running: c.running,
    restarting: c.restarting,
    created: c.created,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    exitCode: c.exitCode,
    oomKilled: c.oomKilled,
    error: c.error,
    restartCount: c.restartCount,
  };
}

/**
 * A record image as the container checks read it: never started, its name the reference it
 * was created under (a copy, retagged or committed, carries another).
 */
function recordImageAsContainer(image: ImageSummary, pod: string): ContainerInfo[] {
  const createdAs = image.labels[Label.createdAs] ?? "";
  // Podman qualifies the short name pod gave with localhost/ (localhost/pod-record:web.3): the
  // same name, and removed by it.
  const named = image.repoTags.some((t) => t === createdAs || t === `localhost/${createdAs}`) ? createdAs : image.repoTags[0];
  if (!named || image.labels[Label.pod] !== pod) return [];
  return [
    {
      id: image.id,
      name: named,
      image: "",
      imageId: image.id,
      created: image.created,
      labels: image.labels,
      state: "created",
      running: false,
      restarting: false,
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
    },
  ];
}

/**
 * `containers`: the engine's containers carrying the pod's labels; `recordImages`: the
 * label-only images that hold its record (older pods kept it in never-started containers,
 * still read, and moved to an image on the next write).
 */
export function observePod(name: string, containers: ContainerInfo[], recordImages: ImageSummary[] = []): ObservedPod {
  const images = recordImages.flatMap((i) => recordImageAsContainer(i, name));
  const imageIds = new Set(images.map((i) => i.id));
  const mine = [...containers.filter((c) => c.labels[Label.pod] === name), ...images];
  const key = podKey(mine, name);
  const pod: ObservedPod = { name, key, record: null, recovered: false, recordCopies: [], sandbox: null, replicas: [], previous: [], lock: null, foreign: [] };
  let newestRecord: PodRecord | null = null;

  for (const c of mine) {
    const why = disproof(c, name, key);
    if (why !== null) {
      pod.foreign.push({ id: c.id, name: c.name, why });
      continue;
    }
    switch (c.labels[Label.role] as Role) {
      case "record": {
        const record = decodeRecord(c.labels[Label.record], name);
        if (!record || record.key !== key) {
          pod.foreign.push({ id: c.id, name: c.name, why: "an unreadable record" });
          continue;
        }
        pod.recordCopies.push({ id: c.id, name: c.name, revision: record.revision, kind: imageIds.has(c.id) ? "image" : "container" });
        if (!newestRecord || record.revision > newestRecord.revision) newestRecord = record;
        break;
      }
      case "sandbox": {
        const sandbox: ObservedSandbox = {
          ...base(c),
          networkHash: c.labels[Label.networkHash] ?? "",
          pid: c.pid,
          spec: parseJson<PodSpec>(c.labels[Label.spec]),
          ports: c.ports,
          networks: c.networks,
          hasProbe: c.labels[Label.probe] === "1",
        };
        // Names make a second sandbox impossible; keep the newest if one appears anyway.
        if (pod.sandbox && pod.sandbox.created > sandbox.created) pod.foreign.push({ id: c.id, name: c.name, why: "a second sandbox" });
        else {
          if (pod.sandbox) pod.foreign.push({ id: pod.sandbox.id, name: pod.sandbox.name, why: "a second sandbox" });
          pod.sandbox = sandbox;
        }
        break;
      }
      case "replica": {
        const mode = c.networkMode;
        const replica: ObservedReplica = {
          ...base(c),
          number: Number(c.labels[Label.replica]) || 0,
          specHash: c.labels[Label.specHash] ?? "",
          generation: Number(c.labels[Label.generation] ?? 0) || 0,
          spec: parseJson<ReplicaSpec>(c.labels[Label.spec]),
          image: c.image,
          joinedSandboxId: mode.startsWith("container:") ? mode.slice("container:".length) : null,
          restartPolicy: c.restartPolicy,
          networks: c.networks,
          health: c.health,
        };
        if (replica.name === previousName(replica.createdAs, replica.id)) pod.previous.push(replica);
        else pod.replicas.push(replica);
        break;
      }
      case "lock":
        pod.lock = { id: c.id, name: c.name, holder: c.labels[Label.lockHolder] ?? "unknown" };
        break;
    }
  }
  pod.replicas.sort((a, b) => a.number - b.number || a.generation - b.generation || a.created - b.created);
  pod.recordCopies.sort((a, b) => a.revision - b.revision || a.name.localeCompare(b.name));
  pod.record = newestRecord ?? recoverRecord(pod, key);
  pod.recovered = newestRecord === null && pod.record !== null;
  return pod;
}

/**
 * Every record copy lost: rebuild the intent from what the containers carry — the sandbox's
 * network, the newest replica spec, one replica per number seen. Written back on the next change.
 */
function recoverRecord(pod: ObservedPod, key: string | null): PodRecord | null {
  const spec = pod.sandbox?.spec;
  if (!spec || key === null) return null;
  const newest = [...pod.replicas].filter((r) => r.spec).sort((a, b) => b.generation - a.generation)[0];
  const generation = newest?.generation ?? 1;
  const recovered: PodSpec = {
    ...spec,
    replicas: new Set(pod.replicas.map((r) => r.number)).size,
    replica: newest?.spec ?? spec.replica,
  };
  return {
    version: 1,
    pod: pod.name,
    key,
    revision: 0,
    generation,
    spec: recovered,
    history: [{ number: generation, at: new Date(pod.sandbox!.created).toISOString(), spec: recovered, status: "ok", cause: "recovered from the containers" }],
  };
}

/** Groups a multi-pod snapshot (for `ps`) by pod name, in name order. */
export function observeAll(containers: ContainerInfo[], recordImages: ImageSummary[] = []): ObservedPod[] {
  const names = [...new Set([...containers, ...recordImages].map((c) => c.labels[Label.pod]).filter((n): n is string => !!n))].sort();
  return names.map((n) => observePod(n, containers, recordImages.filter((i) => i.labels[Label.pod] === n)));
}

/** Whether anything of the pod is on the engine: its record, its sandbox or a replica. */
export function podExists(pod: ObservedPod): boolean {
  return pod.record !== null || pod.sandbox !== null || pod.replicas.length > 0;
}

/** Each container that carries the pod's labels but that pod did not make, in one line: never touched. */
export function foreignLines(pod: Pick<ObservedPod, "name" | "foreign">): string[] {
  return pod.foreign.map((f) => `ignored: ${f.name} (${f.id.slice(0, 12)}) carries pod ${pod.name}'s labels but pod did not make it: ${f.why}`);
}

/** The spec the pod should run, from its record. */
export function recordedSpec(observed: ObservedPod): PodSpec {
  if (!observed.record) {
    throw new PodNotFoundError(
      `pod ${observed.name} has no record pod can read (its record and sandbox are gone)`,
      "`pod ps " + observed.name + "` shows what is left; `pod up` with its options makes it again",
    );
  }
  return observed.record.spec;
}
