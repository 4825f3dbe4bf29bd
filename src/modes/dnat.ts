// --balance dnat: for servers that do not set SO_REUSEPORT. Each replica has its own
// network namespace; the sandbox still owns and publishes the ports, and spreads new
// connections over the replicas with DNAT rules in its own namespace (nftables `numgen`),
// masquerading toward them so replies come back through it. pod writes no rule on the
// host, so this works on a remote engine; only the sandbox gets NET_ADMIN. Pure.
import type { NetworkSpec, PortMapping } from "../podspec/types.js";
import type { BalanceMode } from "./mode.js";
import { publishedNetworking } from "./networking.js";

export const NAT_TABLE = "pod";

export interface Route {
  /** The replica's address on the pod's network. */
  ip: string;
}

/** random: each new connection to a replica picked at random; round-robin: in turn. */
export type Spread = "random" | "round-robin";

function ports(network: NetworkSpec): { port: number; protocol: PortMapping["protocol"] }[] {
  const seen = new Map<string, { port: number; protocol: PortMapping["protocol"] }>();
  for (const p of network.ports) seen.set(`${p.containerPort}/${p.protocol}`, { port: p.containerPort, protocol: p.protocol });
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/**
 * The whole table, replaced in one nft transaction: connections already set up keep their
 * conntrack entries (and so their replica) whatever the new rules say, which is what lets
 * a stopping replica lose its rule first and drain.
 */
export function natRuleset(network: NetworkSpec, routes: Route[], spread: Spread = "random"): string {
  const targets = [...new Set(routes.map((r) => r.ip))].sort();
  const lines = [`table ip ${NAT_TABLE}`, `delete table ip ${NAT_TABLE}`, `table ip ${NAT_TABLE} {`];
  lines.push("  chain prerouting {", "    type nat hook prerouting priority dstnat; policy accept;");
  if (targets.length > 0) {
    const pick = `numgen ${spread === "random" ? "random" : "inc"} mod ${targets.length}`;
    const map = targets.map((ip, i) => `${i} : ${ip}`).join(", ");
    for (const p of ports(network)) lines.push(`    ${p.protocol} dport ${p.port} dnat to ${pick} map { ${map} }`);
  }
  lines.push("  }", "  chain postrouting {", "    type nat hook postrouting priority srcnat; policy accept;");
  if (targets.length > 0) lines.push(`    ip daddr { ${targets.join(", ")} } masquerade`);
  lines.push("  }", "}");
  return lines.join("\n") + "\n";
}

export const dnat: BalanceMode = {
  name: "dnat",
  // The sandbox forwards to the replicas, and writes its own NAT rules.
  sandboxNetworking: (spec) => publishedNetworking(spec, { "net.ipv4.ip_forward": "1" }, ["NET_ADMIN"]),
  // A namespace of its own, on the sandbox's first network, where the sandbox reaches it.
  replicaNetworkMode: (spec) => spec.network.networks[0]?.name ?? "bridge",
  placement: (replica, sandbox) => {
    // Reached only through the sandbox's rules, which a sandbox restart loses: one that
    // started before the sandbox's last start is not routed any more.
    if (!sandbox) return "orphaned";
    if (!sandbox.running || replica.startedAt < sandbox.startedAt) return "stranded";
    return "running";
  },
  readiness: "addresses",
  sharesSocketGroup: false,
  routes: (network, addresses) => natRuleset(network, addresses.map((ip) => ({ ip })), network.spread ?? "random"),
  // A stopping replica loses its rule first; its connections keep their conntrack entries.
  changeWarnings: () => [],
  publishes: true,
  hostNamespace: false,
  hostPorts: (ports) => ports,
  spreads: true,
  sharedNetworkCounters: false,
};
