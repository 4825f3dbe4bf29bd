// How a plan and the facts about the engine become Docker container configs. Pure, so what
// pod asks of Docker is readable and testable in one place.
import type { ContainerConfig } from "../engine/types.js";
import { networkHash, replicaHash } from "../spec/hash.js";
import type { NetworkSpec, PodSpec, ReplicaSpec } from "../spec/types.js";
import { Label, lockName, ownerLabels, recordName, replicaName, sandboxName } from "../state/labels.js";
import { LOCK_KEY } from "../state/observe.js";
import { encodeRecord, type PodRecord } from "../state/record.js";

export const SANDBOX_IMAGE = "pod-sandbox:latest";

/** What the engine is like, read once per command. */
export interface EngineFacts {
  /** Whether the kernel has net.ipv4.tcp_migrate_req (Linux 5.14+). */
  migrateReq: boolean;
}

/** net.ipv4.tcp_migrate_req came in Linux 5.14; Docker refuses an unknown sysctl. */
export function supportsMigrateReq(kernelVersion: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(kernelVersion);
  if (!match) return true; // unknown: ask for it, and let the engine say no
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 5 || (major === 5 && minor >= 14);
}

function portBindings(network: NetworkSpec): Record<string, { HostIp: string; HostPort: string }[]> {
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of network.ports) {
    (bindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === null ? "" : String(p.hostPort) });
  }
  return bindings;
}

/** Networks after the first: connected after create, before start (Docker's create takes one endpoint). */
export function moreNetworks(spec: PodSpec): { name: string; aliases: string[] }[] {
  return spec.network.networks.slice(1).map((n) => ({ name: n.name, aliases: n.name === "bridge" ? [] : [spec.name, ...n.aliases] }));
}

/** The first network at create time; Docker's create takes one endpoint (others are connected after). */
function networking(spec: PodSpec): Pick<ContainerConfig, "NetworkingConfig"> & { NetworkMode?: string } {
  const first = spec.network.networks[0];
  if (!first) return {};
  // Names resolve on user networks only; Docker refuses aliases on the default bridge.
  const aliases = first.name === "bridge" ? [] : [spec.name, ...first.aliases];
  return {
    NetworkMode: first.name,
    NetworkingConfig: { EndpointsConfig: { [first.name]: aliases.length > 0 ? { Aliases: aliases } : {} } },
  };
}

/**
 * The sandbox owns the namespace and the published ports. No restart policy: a restarted
 * sandbox gets a new namespace and its replicas would stay in the dead one, so pod starts
 * it again itself and brings the replicas along (as kubelet does).
 */
export function sandboxConfig(spec: PodSpec, key: string, facts: EngineFacts): ContainerConfig {
  const n = spec.network;
  const name = sandboxName(spec.name);
  const labels = {
    ...spec.replica.labels,
    ...ownerLabels(key, spec.name, "sandbox", name),
    [Label.networkHash]: networkHash(n),
    [Label.spec]: JSON.stringify(spec),
  };
  if (n.balance === "host") {
    // On the host's network the sandbox only holds the record's place and answers the
    // probe; it publishes nothing, and the host's sysctls are the host's.
    return { name, Image: SANDBOX_IMAGE, Labels: labels, HostConfig: { NetworkMode: "host", RestartPolicy: { Name: "no" } } };
  }
  const bindings = portBindings(n);
  const { NetworkMode, NetworkingConfig } = networking(spec);
  return {
    name,
    Image: SANDBOX_IMAGE,
    Labels: labels,
    ...(n.hostname ? { Hostname: n.hostname } : {}),
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])),
    HostConfig: {
      ...(NetworkMode ? { NetworkMode } : {}),
      PortBindings: bindings,
      // reuseport: queued connections of a closing SO_REUSEPORT listener move to a live one
      // instead of being reset, what makes scale-down and replacement lossless (Linux >= 5.14).
      // dnat: the sandbox forwards to the replicas, and writes its own NAT rules.
      ...(n.balance === "dnat"
        ? { Sysctls: { "net.ipv4.ip_forward": "1" }, CapAdd: ["NET_ADMIN"] }
        : facts.migrateReq
          ? { Sysctls: { "net.ipv4.tcp_migrate_req": "1" } }
          : {}),
      RestartPolicy: { Name: "no" },
      Dns: n.dns,
      DnsSearch: n.dnsSearch,
      DnsOptions: n.dnsOptions,
      ExtraHosts: n.extraHosts,
    },
    ...(NetworkingConfig ? { NetworkingConfig } : {}),
  };
}

export interface ReplicaPlacement {
  pod: string;
  balance: PodSpec["network"]["balance"];
  /** dnat: the network the replica joins, in a namespace of its own (the sandbox's first). */
  network: string | null;
  number: number;
  generation: number;
  key: string;
  sandboxId: string;
  /** What to create from: the spec's reference while it still names the recorded image, else the id. */
  imageRef: string;
}

/**
 * A replica starts with no restart policy: if it exits while pod waits for it, it stays
 * exited with its real exit code instead of being restarted under pod's feet. It gets
 * `unless-stopped` once it serves.
 */
export function replicaConfig(replica: ReplicaSpec, at: ReplicaPlacement): ContainerConfig {
  const name = replicaName(at.pod, at.number);
  return {
    name,
    Image: at.imageRef,
    ...(replica.entrypoint !== null ? { Entrypoint: replica.entrypoint } : {}),
    ...(replica.command.length > 0 ? { Cmd: replica.command } : {}),
    // The hostname is the sandbox's, shared by all: these tell replicas apart.
    Env: [...replica.env, `POD_NAME=${at.pod}`, `POD_REPLICA=${at.number}`],
    Labels: {
      ...replica.labels,
      ...ownerLabels(at.key, at.pod, "replica", name),
      [Label.replica]: String(at.number),
      [Label.specHash]: replicaHash(replica),
      [Label.generation]: String(at.generation),
      [Label.sandboxId]: at.sandboxId,
      [Label.spec]: JSON.stringify(replica),
    },
    ...(replica.user !== null ? { User: replica.user } : {}),
    ...(replica.stopTimeoutS !== null ? { StopTimeout: replica.stopTimeoutS } : {}),
    ...(replica.stopSignal !== null ? { StopSignal: replica.stopSignal } : {}),
    HostConfig: {
      NetworkMode: at.balance === "host" ? "host" : at.balance === "dnat" ? (at.network ?? "bridge") : `container:${at.sandboxId}`,
      RestartPolicy: { Name: "no" },
      Binds: replica.volumes,
      ...(replica.memoryBytes !== null ? { Memory: replica.memoryBytes } : {}),
      ...(replica.nanoCpus !== null ? { NanoCpus: replica.nanoCpus } : {}),
    },
  };
}

/** The restart policy a serving replica keeps: a crash brings it back into the same namespace. */
export const REPLICA_RESTART_POLICY = "unless-stopped";

/** Never started, no network: a container whose labels hold the pod's record. */
export function recordConfig(record: PodRecord, copy: "a" | "b"): ContainerConfig {
  const name = recordName(record.pod, record.revision, copy);
  return {
    name,
    Image: SANDBOX_IMAGE,
    Labels: {
      ...ownerLabels(record.key, record.pod, "record", name),
      [Label.revision]: String(record.revision),
      [Label.record]: encodeRecord(record),
    },
    HostConfig: { NetworkMode: "none" },
  };
}

/** Never started: its name is the lock, its label says who holds it. */
export function lockConfig(pod: string, holder: string): ContainerConfig {
  const name = lockName(pod);
  return {
    name,
    Image: SANDBOX_IMAGE,
    Labels: { ...ownerLabels(LOCK_KEY, pod, "lock", name), [Label.lockHolder]: holder },
    HostConfig: { NetworkMode: "none" },
  };
}
