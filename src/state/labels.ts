// Labels are the only record of a pod: no state file. One reverse-DNS prefix for all; the
// names pod gives its containers; and the proof that pod made a container.
import { createHmac, randomBytes } from "node:crypto";

import { LABEL_PREFIX } from "../podspec/types.js";

export { LABEL_PREFIX };

export const Label = {
  pod: `${LABEL_PREFIX}name`,
  role: `${LABEL_PREFIX}role`,
  /** The name pod gave the container when it made it; renames keep a known suffix. */
  createdAs: `${LABEL_PREFIX}created-as`,
  /** HMAC of (pod, role, created-as) under the pod's key: see `ownerProof`. */
  owner: `${LABEL_PREFIX}owner`,
  key: `${LABEL_PREFIX}key`,
  replica: `${LABEL_PREFIX}replica`,
  specHash: `${LABEL_PREFIX}spec-hash`,
  networkHash: `${LABEL_PREFIX}network-hash`,
  generation: `${LABEL_PREFIX}generation`,
  sandboxId: `${LABEL_PREFIX}sandbox-id`,
  /** JSON: the full PodSpec on a sandbox, the ReplicaSpec on a replica. */
  spec: `${LABEL_PREFIX}spec`,
  /** JSON of the PodRecord, on record containers. */
  record: `${LABEL_PREFIX}record`,
  revision: `${LABEL_PREFIX}revision`,
  lockHolder: `${LABEL_PREFIX}lock-holder`,
  /** On a sandbox that carries pod's probe program for its replicas' health checks (/.pod). */
  probe: `${LABEL_PREFIX}probe`,
} as const;

export type Role = "sandbox" | "replica" | "record" | "lock";

export function sandboxName(pod: string): string {
  return `${pod}-sandbox`;
}

export function replicaName(pod: string, number: number): string {
  return `${pod}-${number}`;
}

export function lockName(pod: string): string {
  return `${pod}-lock`;
}

/** Where a pod's record revision is kept: the label-only image `pod-record:<pod>.<revision>`. */
export const RECORD_REPOSITORY = "pod-record";
export function recordRef(pod: string, revision: number): string {
  return `${RECORD_REPOSITORY}:${pod}.${revision}`;
}

/** Record copies of older pods: `<pod>-record.<revision>.<copy>` containers. The dot keeps them apart from replica names. */
export function recordName(pod: string, revision: number, copy: "a" | "b"): string {
  return `${pod}-record.${revision}.${copy}`;
}

/** Where an old replica waits while its successor starts under the real name. */
export function asideName(createdAs: string, id: string): string {
  return `${createdAs}-old-${id.slice(0, 12)}`;
}

/**
 * Where a replaced or failed replica is kept, stopped, so its logs can still be read
 * (`pod logs --previous`); one per replica number, until the next one replaces it.
 */
export function previousName(createdAs: string, id: string): string {
  return `${createdAs}-prev-${id.slice(0, 12)}`;
}

/** A fresh key for a new pod: it signs every container the pod is made of. */
export function newPodKey(): string {
  return randomBytes(16).toString("hex");
}

/**
 * Proof that pod made a container: labels alone prove nothing (`docker commit` copies them
 * into any container run from the image), so the proof binds the container's own name.
 * A copy runs under another name, and a hand-written label lacks the key.
 */
export function ownerProof(key: string, pod: string, role: Role, createdAs: string): string {
  return createHmac("sha256", key).update(`${pod}\n${role}\n${createdAs}`).digest("hex").slice(0, 24);
}

/** The labels that make a container pod's: who, what, and the proof. */
export function ownerLabels(key: string, pod: string, role: Role, createdAs: string): Record<string, string> {
  return {
    [Label.pod]: pod,
    [Label.role]: role,
    [Label.createdAs]: createdAs,
    [Label.key]: key,
    [Label.owner]: ownerProof(key, pod, role, createdAs),
  };
}

/** Whether a container's current name is one pod gives it: its first name, or that name set aside. */
export function isOwnName(name: string, createdAs: string, id: string): boolean {
  return name === createdAs || name === asideName(createdAs, id) || name === previousName(createdAs, id);
}
