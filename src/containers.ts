// How a spec becomes Docker container configs. Pure, so what pod asks of Docker is
// readable and testable in one place.
import type { ContainerConfig } from "./engine-types.js";
import { Label, lockName, replicaName, sandboxName } from "./labels.js";
import { replicaHash, sandboxHash, type PodSpec, type ReplicaSpec } from "./spec.js";

export const SANDBOX_IMAGE = "pod-sandbox:latest";
export const SANDBOX_BINARY = "/pod-sandbox";

/**
 * The sandbox owns the namespace and the published ports. No restart policy: a restarted
 * sandbox gets a new namespace and its replicas would stay in the dead one, so pod
 * recreates the whole group instead (as kubelet does).
 */
export function sandboxConfig(spec: PodSpec, generation: number, migrateReq = true): ContainerConfig {
  const s = spec.sandbox;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of s.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === null ? "" : String(p.hostPort) });
  }
  return {
    name: sandboxName(spec.name),
    Image: SANDBOX_IMAGE,
    Labels: {
      ...spec.replica.labels,
      [Label.pod]: spec.name,
      [Label.role]: "sandbox",
      [Label.specHash]: sandboxHash(s),
      [Label.replicaSpecHash]: replicaHash(spec.replica),
      [Label.generation]: String(generation),
      [Label.spec]: JSON.stringify(spec),
    },
    ...(s.hostname ? { Hostname: s.hostname } : {}),
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])),
    HostConfig: {
      ...(s.network ? { NetworkMode: s.network } : {}),
      PortBindings: bindings,
      // Queued connections of a closing SO_REUSEPORT listener move to a live one instead of
      // being reset: what makes scale-down and replacement lossless (Linux >= 5.14).
      ...(migrateReq ? { Sysctls: { "net.ipv4.tcp_migrate_req": "1" } } : {}),
      RestartPolicy: { Name: "no" },
      Dns: s.dns,
      DnsSearch: s.dnsSearch,
      DnsOptions: s.dnsOptions,
      ExtraHosts: s.extraHosts,
    },
  };
}

/**
 * `imageRef` is what to create from: the spec's reference while it still names the recorded
 * image, else the recorded id, so a tag moved since then never slips a new image in unseen.
 */
export function replicaConfig(
  pod: string,
  replica: ReplicaSpec,
  number: number,
  generation: number,
  sandboxId: string,
  imageRef: string,
): ContainerConfig {
  return {
    name: replicaName(pod, number),
    Image: imageRef,
    ...(replica.command.length > 0 ? { Cmd: replica.command } : {}),
    // The hostname is the sandbox's, shared by all: these tell replicas apart.
    Env: [...replica.env, `POD_NAME=${pod}`, `POD_REPLICA=${number}`],
    Labels: {
      ...replica.labels,
      [Label.pod]: pod,
      [Label.role]: "replica",
      [Label.replica]: String(number),
      [Label.specHash]: replicaHash(replica),
      [Label.generation]: String(generation),
      [Label.sandboxId]: sandboxId,
      [Label.spec]: JSON.stringify(replica),
    },
    ...(replica.user !== null ? { User: replica.user } : {}),
    ...(replica.stopTimeoutS !== null ? { StopTimeout: replica.stopTimeoutS } : {}),
    HostConfig: {
      NetworkMode: `container:${sandboxId}`,
      // A crashed replica comes back into the same namespace; a stopped one stays stopped.
      RestartPolicy: { Name: "unless-stopped" },
      Binds: replica.volumes,
      ...(replica.memoryBytes !== null ? { Memory: replica.memoryBytes } : {}),
      ...(replica.nanoCpus !== null ? { NanoCpus: replica.nanoCpus } : {}),
    },
  };
}

/** Never started: its name is the lock, its label says who holds it. */
export function lockConfig(pod: string, holder: string): ContainerConfig {
  return {
    name: lockName(pod),
    Image: SANDBOX_IMAGE,
    Labels: { [Label.pod]: pod, [Label.role]: "lock", [Label.lockHolder]: holder },
    HostConfig: { NetworkMode: "none" },
  };
}
