// How replicas share a pod's published ports: one strategy object per balance mode, as
// kube-proxy has one per proxy mode. Everything that differs between the modes is a member
// here, so no other file asks which mode a pod is in. Pure.
import type { ContainerConfig } from "../engine/types.js";
import type { NetworkSpec, PodSpec, PortMapping } from "../podspec/types.js";

/** What the engine is like, read once per command (state/snapshot.ts). */
export interface EngineFacts {
  kernelVersion: string;
  /** Whether the kernel has net.ipv4.tcp_migrate_req (Linux 5.14+). */
  migrateReq: boolean;
  /** The host namespace's own net.ipv4.tcp_migrate_req, when pod can read it (a local engine). */
  hostMigrateReq: string | null;
  /** The addresses of the engine's host, when pod runs on it; null: not known (a remote engine). */
  hostAddresses: string[] | null;
  /**
   * The engine cannot change a container's restart policy once it is made (Podman's
   * compatible API has no update endpoint): replicas are then created with the policy they
   * serve with, and a crash while they are waited for shows as a restart count.
   */
  fixedRestartPolicy: boolean;
}

/** Where a running replica stands with respect to the pod's current network. */
export type Placement = "running" | "stranded" | "orphaned";

/** The replica and sandbox facts placement depends on. */
export interface PlacementFacts {
  joinedSandboxId: string | null;
  startedAt: number;
}
export interface SandboxFacts {
  id: string;
  running: boolean;
  startedAt: number;
}

/** The sandbox's networking, as parts of its create config. */
export type SandboxNetworking = Pick<ContainerConfig, "Hostname" | "ExposedPorts" | "NetworkingConfig"> & {
  HostConfig: Pick<ContainerConfig["HostConfig"], "NetworkMode" | "PortBindings" | "Sysctls" | "CapAdd" | "Dns" | "DnsSearch" | "DnsOptions" | "ExtraHosts">;
  /** Networks after the first, joined after create and before start (Docker's create takes one). */
  connect: { name: string; aliases: string[] }[];
};

export interface BalanceMode {
  readonly name: NetworkSpec["balance"];
  sandboxNetworking(spec: PodSpec, facts: EngineFacts): SandboxNetworking;
  /** A replica's NetworkMode, given the sandbox it is made for. */
  replicaNetworkMode(spec: PodSpec, sandboxId: string): string;
  /** Whether a running replica serves in the pod's current network. */
  placement(replica: PlacementFacts, sandbox: SandboxFacts | null): Placement;
  /**
   * How readiness is seen: `listeners`, sockets counted in the shared namespace; `addresses`,
   * each replica accepting connections at its own address.
   */
  readonly readiness: "listeners" | "addresses";
  /** Whether replicas bind one SO_REUSEPORT group, whose sockets must share one effective uid. */
  readonly sharesSocketGroup: boolean;
  /** The rules the sandbox routes with, to these replica addresses; null: the mode needs none. */
  routes(network: NetworkSpec, addresses: string[]): string | null;
  /** What a change should warn about on this engine, given whether it stops replicas. */
  changeWarnings(facts: EngineFacts, stopsReplicas: boolean): string[];
  /** Whether the sandbox publishes the ports (else replicas bind them on the host). */
  readonly publishes: boolean;
  /**
   * Whether the pod runs in the host's own network namespace: it joins no network, and has no
   * name, resolver or hosts file of its own.
   */
  readonly hostNamespace: boolean;
  /** The host ports the pod binds: its published ones, or the replicas' own on the host. */
  hostPorts(ports: PortMapping[]): PortMapping[];
  /** Whether the sandbox itself picks a replica per connection (and so takes `--spread`). */
  readonly spreads: boolean;
  /** Whether the sandbox's network counters are the whole pod's traffic (one shared namespace). */
  readonly sharedNetworkCounters: boolean;
}
