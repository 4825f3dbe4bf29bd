// Labels are the only record of a pod: no state file. One reverse-DNS prefix for all.
export const LABEL_PREFIX = "dev.pod.";

export const Label = {
  pod: `${LABEL_PREFIX}name`,
  role: `${LABEL_PREFIX}role`,
  replica: `${LABEL_PREFIX}replica`,
  specHash: `${LABEL_PREFIX}spec-hash`,
  /** On the sandbox: the hash of the replica spec it recorded. */
  replicaSpecHash: `${LABEL_PREFIX}replica-spec-hash`,
  spec: `${LABEL_PREFIX}spec`,
  generation: `${LABEL_PREFIX}generation`,
  sandboxId: `${LABEL_PREFIX}sandbox-id`,
  lockHolder: `${LABEL_PREFIX}lock-holder`,
} as const;

export function sandboxName(pod: string): string {
  return `${pod}-sandbox`;
}

export function replicaName(pod: string, number: number): string {
  return `${pod}-${number}`;
}

export function lockName(pod: string): string {
  return `${pod}-lock`;
}

/** Where an old replica waits while its successor starts under the real name. */
export function asideName(pod: string, number: number, id: string): string {
  return `${pod}-${number}-old-${id.slice(0, 12)}`;
}
