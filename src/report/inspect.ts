// `pod inspect`: one JSON document of what pod knows of a pod. Pure. Env values may be
// secrets, so they are shown as keys only, here as everywhere pod prints.
import type { PodSpec } from "../podspec/types.js";
import type { ObservedPod } from "../state/observe.js";
import type { PodView } from "../state/status.js";

export function maskSpec(spec: PodSpec): PodSpec {
  return { ...spec, replica: { ...spec.replica, env: spec.replica.env.map((e) => `${e.split("=")[0]}=<hidden>`) } };
}

/**
 * A pod as `ps --json` gives it: the view, with the containers that carry the pod's labels
 * but that pod did not make named `ignored`, as `inspect` and `ps NAME` name them.
 */
export function viewDocument(view: PodView): Omit<PodView, "foreign"> & { ignored: PodView["foreign"] } {
  const { foreign, ...rest } = view;
  return { ...rest, ignored: foreign };
}

export function inspectDocument(pod: ObservedPod, view: PodView): object {
  const record = pod.record;
  const sandbox = pod.sandbox;
  return {
    name: pod.name,
    status: view.status,
    reasons: view.reasons,
    replicas: view.replicas,
    record: record
      ? { generation: record.generation, revision: record.revision, copies: pod.recordCopies.map((c) => c.name), recovered: pod.recovered }
      : null,
    spec: record ? maskSpec(record.spec) : null,
    network: {
      balance: view.balance,
      sandbox: sandbox
        ? {
            id: sandbox.id,
            name: sandbox.name,
            state: sandbox.state,
            startedAt: view.sandbox?.startedAt ?? null,
            addresses: sandbox.networks.map((n) => ({ network: n.name, ip: n.ip || null, ipv6: n.ipv6 || null, aliases: n.aliases })),
          }
        : null,
      ports: view.ports,
      listeners: view.listeners,
    },
    replicaContainers: view.replicaContainers,
    previous: pod.previous.map((r) => ({ number: r.number, name: r.name, id: r.id, state: r.state, exitCode: r.exitCode, finishedAt: r.finishedAt > 0 ? new Date(r.finishedAt).toISOString() : null })),
    generations: (record?.history ?? []).map((g) => ({ generation: g.number, at: g.at, status: g.status, cause: g.cause, error: g.error ?? null, current: g.number === record!.generation, spec: maskSpec(g.spec) })),
    ignored: view.foreign,
  };
}
