// How a plan and the facts about the engine become Docker container configs. Pure, so what
// pod asks of Docker is readable and testable in one place.
import type { ContainerConfig } from "../engine/types.js";
import { networkHash, replicaHash } from "../podspec/hash.js";
import { modeOf, type EngineFacts } from "../modes/index.js";
import { healthcheckConfig, PROBE_DIR } from "../podspec/health.js";
import { DEFAULT_STOP_TIMEOUT_S, type PodSpec, type ReplicaSpec } from "../podspec/types.js";
import { Label, lockName, ownerLabels, recordRef, replicaName, sandboxName } from "../state/labels.js";
import { LOCK_KEY } from "../state/observe.js";
import { encodeRecord, type PodRecord } from "../state/record.js";

export const SANDBOX_IMAGE = "pod-sandbox:latest";
const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";
const COMPOSE_NUMBER_LABEL = "com.docker.compose.container-number";

/**
 * The sandbox owns the namespace and the published ports. No restart policy: a restarted
 * sandbox gets a new namespace and its replicas would stay in the dead one, so pod starts
 * it again itself and brings the replicas along (as kubelet does). `connect`: the networks
 * it joins after create, before start.
 */
export function sandboxConfig(spec: PodSpec, key: string, facts: EngineFacts): { config: ContainerConfig; connect: { name: string; aliases: string[] }[] } {
  const name = sandboxName(spec.name);
  const labels = {
    ...spec.replica.labels,
    ...ownerLabels(key, spec.name, "sandbox", name),
    [Label.networkHash]: networkHash(spec.network),
    [Label.spec]: JSON.stringify(spec),
    [Label.probe]: "1",
  };
  const { HostConfig, connect, ...networking } = modeOf(spec.network).sandboxNetworking(spec, facts);
  // An anonymous volume filled from the image's /.pod: pod's probe program, which replicas
  // mount read-only from it (VolumesFrom) for health checks that need nothing in their image.
  return { config: { name, Image: SANDBOX_IMAGE, Labels: labels, ...networking, HostConfig: { ...HostConfig, Binds: [PROBE_DIR], RestartPolicy: { Name: "no" } } }, connect };
}

export interface ReplicaPlacement {
  pod: PodSpec;
  number: number;
  generation: number;
  key: string;
  sandboxId: string;
  /** What to create from: the spec's reference while it still names the recorded image, else the id. */
  imageRef: string;
  /** The policy it serves with, given at create: the engine cannot change it later (Podman). */
  servingPolicyAtCreate: boolean;
}

/**
 * A replica starts with no restart policy: if it exits while pod waits for it, it stays
 * exited with its real exit code instead of being restarted under pod's feet. It gets
 * `unless-stopped` once it serves. An engine that cannot change the policy later gets it
 * at create, and the wait watches the restart count instead.
 */
export function replicaConfig(replica: ReplicaSpec, at: ReplicaPlacement): ContainerConfig {
  const pod = at.pod.name;
  const name = replicaName(pod, at.number);
  const health = healthcheckConfig(replica.health, at.pod.network.ports, at.sandboxId);
  return {
    name,
    Image: at.imageRef,
    ...(replica.entrypoint !== null ? { Entrypoint: replica.entrypoint } : {}),
    ...(replica.command.length > 0 ? { Cmd: replica.command } : {}),
    // The hostname is the sandbox's, shared by all: these tell replicas apart.
    Env: [...replica.env, `POD_NAME=${pod}`, `POD_REPLICA=${at.number}`],
    Labels: {
      ...replica.labels,
      ...ownerLabels(at.key, pod, "replica", name),
      [Label.replica]: String(at.number),
      [Label.specHash]: replicaHash(replica),
      [Label.generation]: String(at.generation),
      [Label.sandboxId]: at.sandboxId,
      [Label.spec]: JSON.stringify(replica),
      // Compose numbers a service's containers; pod's replica number is that number.
      ...(replica.labels[COMPOSE_SERVICE_LABEL] !== undefined ? { [COMPOSE_NUMBER_LABEL]: String(at.number) } : {}),
    },
    ...(replica.user !== null ? { User: replica.user } : {}),
    // Always said: Podman's compatible API makes an unnamed stop timeout 0, a kill with no drain.
    StopTimeout: replica.stopTimeoutS ?? DEFAULT_STOP_TIMEOUT_S,
    ...(replica.stopSignal !== null ? { StopSignal: replica.stopSignal } : {}),
    ...(health.Healthcheck ? { Healthcheck: health.Healthcheck } : {}),
    HostConfig: {
      ...(health.VolumesFrom ? { VolumesFrom: health.VolumesFrom } : {}),
      NetworkMode: modeOf(at.pod.network).replicaNetworkMode(at.pod, at.sandboxId),
      RestartPolicy: { Name: at.servingPolicyAtCreate ? servingRestartPolicy(replica) : "no" },
      Binds: replica.volumes,
      ...(replica.memoryBytes !== null ? { Memory: replica.memoryBytes } : {}),
      ...(replica.nanoCpus !== null ? { NanoCpus: replica.nanoCpus } : {}),
    },
  };
}

/**
 * The restart policy a serving replica keeps: a crash brings it back into the same
 * namespace. pod's own is unless-stopped; a compose file's `restart:` names another.
 */
export function servingRestartPolicy(replica: ReplicaSpec): string {
  return replica.restart?.name ?? "unless-stopped";
}

/**
 * A record revision, as the labels of an image with no files: `docker container prune` and
 * `docker system prune [--volumes]` leave tagged images alone, so the record outlives every
 * container of the pod, which is what it is for.
 */
export function recordImage(record: PodRecord): { ref: string; labels: Record<string, string> } {
  const ref = recordRef(record.pod, record.revision);
  return {
    ref,
    labels: {
      ...ownerLabels(record.key, record.pod, "record", ref),
      [Label.revision]: String(record.revision),
      [Label.record]: encodeRecord(record),
    },
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
