// A pod as a stack file for `docker stack deploy`: one Swarm service with the pod's replicas,
// updated start-first and rolled back when an update fails, published on the routing mesh.
// Pure. Written in the Compose format (version 3.8, which every docker CLI since 19.03
// reads) with only keys Swarm honours; what Swarm cannot express is said in comments at
// the top, never dropped silently.
import type { PodSpec } from "../podspec/types.js";
import { describeHealth } from "../podspec/health.js";
import { composeHealthcheck, composeResources, formatDuration, parseMount, PROPAGATIONS, stopTimeout } from "./common.js";
import { escapeDollars, toYaml } from "./yaml.js";
import { modeOf } from "../modes/index.js";

type Obj = Record<string, unknown>;

export interface SwarmExport {
  yaml: string;
  /** What the stack cannot carry from the pod; also the file's leading comments. */
  notes: string[];
}

function volumes(spec: PodSpec, notes: string[]): { mounts: Obj[]; named: string[] } {
  const named: string[] = [];
  const mounts = spec.replica.volumes.map((volume) => {
    const m = parseMount(volume);
    const mount: Obj = { type: m.kind === "bind" ? "bind" : "volume", ...(m.source ? { source: m.source } : {}), target: m.target };
    if (m.options.includes("ro")) mount["read_only"] = true;
    const propagation = m.options.find((o) => PROPAGATIONS.includes(o));
    if (propagation && m.kind === "bind") mount["bind"] = { propagation };
    if (m.options.includes("nocopy") && m.kind !== "bind") mount["volume"] = { nocopy: true };
    const dropped = m.options.filter((o) => o === "z" || o === "Z");
    if (dropped.length > 0) notes.push(`the SELinux label option ${dropped.join(",")} of ${volume} has no stack file key: relabel the host path yourself`);
    if (m.kind === "volume" && !named.includes(m.source)) named.push(m.source);
    return mount;
  });
  const binds = [...new Set(spec.replica.volumes.map(parseMount).filter((m) => m.kind === "bind").map((m) => m.source))];
  if (binds.length > 0) notes.push(`the bind-mounted ${binds.length > 1 ? "paths" : "path"} ${binds.join(", ")} must exist on every node that runs a replica`);
  return { mounts, named };
}

/** The stack file and what it could not carry. */
export function swarmExport(spec: PodSpec): SwarmExport {
  const r = spec.replica;
  const n = spec.network;
  const notes: string[] = [];
  const s: Obj = { image: r.image };
  if (r.entrypoint !== null) s["entrypoint"] = r.entrypoint;
  if (r.command.length > 0) s["command"] = r.command;
  if (r.env.length > 0) s["environment"] = r.env;
  if (Object.keys(r.labels).length > 0) s["labels"] = r.labels;
  if (r.user !== null) s["user"] = r.user;
  if (r.stopSignal !== null) s["stop_signal"] = r.stopSignal;
  s["stop_grace_period"] = formatDuration(stopTimeout(spec));

  const networks: Obj = {};
  if (modeOf(n).hostNamespace) {
    // Replicas bind the host's ports themselves, with SO_REUSEPORT, as pod runs them.
    networks["host"] = null;
    notes.push(`the replicas join the host's network and listen on ${n.ports.map((p) => `${p.containerPort}/${p.protocol}`).join(", ") || "their ports"} themselves: no routing mesh`);
  } else {
    const ports: Obj[] = [];
    const published = new Set<string>();
    for (const p of n.ports) {
      const key = `${p.hostPort ?? `*${p.containerPort}`}/${p.protocol}`;
      if (published.has(key)) {
        notes.push(`${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol} is left out: the routing mesh publishes each port once, on every address`);
        continue;
      }
      published.add(key);
      ports.push({ target: p.containerPort, ...(p.hostPort !== null ? { published: p.hostPort } : {}), protocol: p.protocol, mode: "ingress" });
      if (p.hostIp !== "") notes.push(`port ${p.hostPort ?? p.containerPort}/${p.protocol} was bound to ${p.hostIp} only; the routing mesh publishes it on every address of every node`);
    }
    if (ports.length > 0) s["ports"] = ports;
    for (const net of n.networks) {
      if (net.name === "bridge") {
        notes.push("Docker's default bridge cannot carry Swarm services: the replicas use the stack's own default network");
        continue;
      }
      networks[net.name] = net.aliases.length > 0 ? { aliases: net.aliases } : null;
    }
  }
  if (Object.keys(networks).length > 0) s["networks"] = networks;

  const { mounts, named } = volumes(spec, notes);
  if (mounts.length > 0) s["volumes"] = mounts;
  if (n.hostname !== null) s["hostname"] = n.hostname;
  if (n.dns.length > 0) s["dns"] = n.dns;
  if (n.dnsSearch.length > 0) s["dns_search"] = n.dnsSearch;
  if (n.dnsOptions.length > 0) notes.push(`the resolver options ${n.dnsOptions.join(" ")} have no stack file key`);
  if (n.extraHosts.length > 0) s["extra_hosts"] = n.extraHosts;
  const healthcheck = composeHealthcheck(spec);
  if (healthcheck) s["healthcheck"] = healthcheck;
  const kind = r.health?.check.kind;
  if (kind === "http" || kind === "tcp") {
    notes.push(`pod's own probe (${describeHealth(r.health, n.ports)}) has no stack file key: Swarm runs the image's HEALTHCHECK${healthcheck ? " at these timings" : ""}; give the service a healthcheck test the image can run`);
  }

  s["deploy"] = {
    replicas: spec.replicas,
    update_config: { parallelism: spec.update.parallel, order: spec.update.order, failure_action: "rollback" },
    rollback_config: { parallelism: spec.update.parallel, order: spec.update.order },
    ...composeResources(spec),
  };

  const doc: Obj = { version: "3.8", services: { [spec.name]: s } };
  if (Object.keys(networks).length > 0) {
    doc["networks"] = Object.fromEntries(Object.keys(networks).map((name) => [name, { external: true, name }]));
    if (!modeOf(n).hostNamespace) notes.push(`the networks ${Object.keys(networks).join(", ")} must exist as swarm-scoped overlay networks (docker network create -d overlay --attachable NAME)`);
  }
  if (named.length > 0) doc["volumes"] = Object.fromEntries(named.map((v) => [v, { name: v }]));
  notes.push(`every node that runs a replica needs the image ${r.image}: from a registry the nodes reach, or built on them (then deploy with --resolve-image never)`);
  const unique = [...new Set(notes)];
  const head = [`The pod ${spec.name} as a Swarm stack: docker stack deploy -c FILE STACK`, ...unique.map((note) => `note: ${note}`)];
  return { yaml: toYaml(escapeDollars(doc), head), notes: unique };
}

/** The stack file for `docker stack deploy -c FILE STACK`. */
export function toSwarmStack(spec: PodSpec): string {
  return swarmExport(spec).yaml;
}
