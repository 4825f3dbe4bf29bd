// A pod as a Compose file that `pod up -f` turns back into the same pod: what Compose can
// say in Compose's own keys, the rest (how replicas share the port) in `x-pod`. Pure.
// Networks and named volumes are declared with their Docker names (`name:`), so neither a
// project name nor Compose changes which ones the pod uses.
import { POD_EXTENSION, type PodExtension } from "../compose/extension.js";
import type { PodSpec } from "../podspec/types.js";
import { composeHealthcheck, composeResources, formatDuration, namedVolumes } from "./common.js";
import { escapeDollars, toYaml } from "./yaml.js";
import { modeOf } from "../modes/index.js";

type Obj = Record<string, unknown>;

function service(spec: PodSpec): Obj {
  const r = spec.replica;
  const n = spec.network;
  const s: Obj = { image: r.image };
  if (r.entrypoint !== null) s["entrypoint"] = r.entrypoint;
  if (r.command.length > 0) s["command"] = r.command;
  if (r.env.length > 0) s["environment"] = r.env;
  if (Object.keys(r.labels).length > 0) s["labels"] = r.labels;
  if (r.volumes.length > 0) s["volumes"] = r.volumes;
  if (r.user !== null) s["user"] = r.user;
  if (r.stopSignal !== null) s["stop_signal"] = r.stopSignal;
  if (r.stopTimeoutS !== null) s["stop_grace_period"] = formatDuration(r.stopTimeoutS);
  if (n.ports.length > 0) {
    s["ports"] = n.ports.map((p) => ({
      target: p.containerPort,
      ...(p.hostPort !== null ? { published: p.hostPort } : {}),
      ...(p.hostIp !== "" ? { host_ip: p.hostIp } : {}),
      protocol: p.protocol,
    }));
  }
  if (modeOf(n).hostNamespace) s["network_mode"] = "host";
  // Docker's default bridge, as the pod has it: not the project's default network Compose would join.
  else if (n.networks.length === 0) s["network_mode"] = "bridge";
  if (n.networks.length > 0) {
    s["networks"] = Object.fromEntries(n.networks.map((net) => [net.name, net.aliases.length > 0 ? { aliases: net.aliases } : null]));
  }
  if (n.hostname !== null) s["hostname"] = n.hostname;
  if (n.dns.length > 0) s["dns"] = n.dns;
  if (n.dnsSearch.length > 0) s["dns_search"] = n.dnsSearch;
  if (n.dnsOptions.length > 0) s["dns_opt"] = n.dnsOptions;
  if (n.extraHosts.length > 0) s["extra_hosts"] = n.extraHosts;
  const healthcheck = composeHealthcheck(spec);
  if (healthcheck) s["healthcheck"] = healthcheck;
  s["deploy"] = {
    replicas: spec.replicas,
    ...composeResources(spec),
    update_config: { parallelism: spec.update.parallel, order: spec.update.order },
  };
  const check = r.health?.check;
  const extension: PodExtension = {
    // The pod's own name: brought up again from this file, it is the same pod, not PROJECT-SERVICE.
    name: spec.name,
    balance: n.balance,
    // pod's own probe, which Compose cannot say; healthcheck: above holds its timings.
    ...(check?.kind === "http" ? { health: { http: check.path, ...(check.port !== null ? { port: check.port } : {}) } } : {}),
    ...(check?.kind === "tcp" ? { health: { tcp: true, ...(check.port !== null ? { port: check.port } : {}) } } : {}),
  };
  s[POD_EXTENSION] = extension;
  return s;
}

/** The Compose file of one pod; `loadCompose` of it gives the same spec (the image id aside). */
export function toCompose(spec: PodSpec): string {
  const doc: Obj = { services: { [spec.name]: service(spec) } };
  if (spec.network.networks.length > 0) {
    doc["networks"] = Object.fromEntries(spec.network.networks.map((net) => [net.name, { name: net.name, external: true }]));
  }
  const volumes = namedVolumes(spec);
  if (volumes.length > 0) doc["volumes"] = Object.fromEntries(volumes.map((v) => [v, { name: v }]));
  return toYaml(escapeDollars(doc), [
    `The pod ${spec.name}, exported by pod: \`pod up -f FILE\` runs it again.`,
    "Docker Compose reads it too; x-pod holds what only pod uses.",
  ]);
}
