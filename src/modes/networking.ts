// The parts of a sandbox's networking that reuseport and dnat share: published ports, the
// pod's networks with its name as a DNS alias there, hostname and DNS settings. Pure.
import type { NetworkSpec, PodSpec } from "../podspec/types.js";
import type { SandboxNetworking } from "./mode.js";

function portBindings(network: NetworkSpec): Record<string, { HostIp: string; HostPort: string }[]> {
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of network.ports) {
    (bindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === null ? "" : String(p.hostPort) });
  }
  return bindings;
}

/** Names resolve on user networks only; Docker refuses aliases on the default bridge. */
function aliasesOn(spec: PodSpec, network: { name: string; aliases: string[] }): string[] {
  return network.name === "bridge" ? [] : [spec.name, ...network.aliases];
}

export function publishedNetworking(spec: PodSpec, sysctls: Record<string, string>, capAdd: string[]): SandboxNetworking {
  const n = spec.network;
  const bindings = portBindings(n);
  const [first, ...more] = n.networks;
  const firstAliases = first ? aliasesOn(spec, first) : [];
  return {
    ...(n.hostname ? { Hostname: n.hostname } : {}),
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])),
    HostConfig: {
      ...(first ? { NetworkMode: first.name } : {}),
      PortBindings: bindings,
      ...(Object.keys(sysctls).length > 0 ? { Sysctls: sysctls } : {}),
      ...(capAdd.length > 0 ? { CapAdd: capAdd } : {}),
      Dns: n.dns,
      DnsSearch: n.dnsSearch,
      DnsOptions: n.dnsOptions,
      ExtraHosts: n.extraHosts,
    },
    ...(first ? { NetworkingConfig: { EndpointsConfig: { [first.name]: firstAliases.length > 0 ? { Aliases: firstAliases } : {} } } } : {}),
    connect: more.map((m) => ({ name: m.name, aliases: aliasesOn(spec, m) })),
  };
}
