// A service's network, which the sandbox owns: the networks it joins with their aliases,
// its published ports, names and resolvers; network_mode host puts it on the host's own.
import { isIP } from "node:net";
import { checkPortConflicts, parseExtraHost, parsePublish } from "../podspec/parse.js";
import type { Balance, NetworkAttachment, NetworkSpec, PortMapping } from "../podspec/types.js";
import { isExtension, isObj, list, scalar, type Diagnostics, type Obj, type Path, type Source } from "./context.js";
import { POD_EXTENSION, type PodExtension } from "./extension.js";
import type { Json } from "./interpolate.js";
import { modeOf } from "../modes/index.js";

function ports(src: Source, path: Path, raw: Json | undefined, onHost: boolean): PortMapping[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item, i) => {
    const at = [...path, i];
    let spec: string;
    if (isObj(item)) {
      for (const key of Object.keys(item)) {
        if (["name", "app_protocol"].includes(key)) src.d.ignore([...at, key], "pod keeps no names or application protocols for ports");
      }
      if (item["target"] === undefined) src.d.fail(at, "has no target", "add target: the port the replicas listen on");
      const ip = scalar(item["host_ip"]);
      const published = scalar(item["published"]);
      const protocol = item["protocol"] === undefined ? "" : `/${scalar(item["protocol"])}`;
      const ipPart = ip === "" ? "" : `${isIP(ip) === 6 ? `[${ip}]` : ip}:`;
      spec = ip === "" && published === "" ? `${scalar(item["target"])}${protocol}` : `${ipPart}${published}:${scalar(item["target"])}${protocol}`;
    } else {
      spec = scalar(item);
    }
    const mappings = src.d.reuse(at, () => parsePublish(spec));
    if (!onHost) return mappings;
    // On the host's network the replicas' own ports are the published ones.
    return mappings.map((p) => {
      if (p.hostIp !== "" || (p.hostPort !== null && p.hostPort !== p.containerPort)) {
        src.d.fail(at, `"${spec}" maps a port, and on the host's network the host port is the container port`, `write "${p.containerPort}${p.protocol === "udp" ? "/udp" : ""}": the port the replicas listen on`);
      }
      return { ...p, hostPort: null };
    });
  });
}

function extraHosts(src: Source, path: Path, raw: Json | undefined): string[] {
  if (raw === undefined || raw === null) return [];
  const pairs: [Path, string, string][] = [];
  if (Array.isArray(raw)) {
    raw.forEach((item, i) => {
      const text = scalar(item);
      const eq = text.indexOf("=");
      const at = eq >= 0 ? eq : text.indexOf(":");
      pairs.push([[...path, i], at < 0 ? text : text.slice(0, at), at < 0 ? "" : text.slice(at + 1)]);
    });
  } else if (isObj(raw)) {
    for (const [host, ips] of Object.entries(raw)) {
      for (const ip of Array.isArray(ips) ? ips : [ips]) pairs.push([[...path, host], host, scalar(ip)]);
    }
  }
  return pairs.map(([at, host, ip]) => {
    const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
    return src.d.reuse(at, () => parseExtraHost(`${host}:${bare}`));
  });
}

/** The networks a service joins, each with its key in the file: its `networks:`, else the naming's own. */
function serviceNetworks(src: Source, service: string, path: Path, raw: Json | undefined, implicit: boolean): (NetworkAttachment & { key: string })[] {
  const entries: [string, Json][] = Array.isArray(raw) ? raw.map((key) => [scalar(key), null]) : isObj(raw) ? Object.entries(raw) : implicit ? src.naming.implicitNetworks.map((key) => [key, null]) : [];
  const out: (NetworkAttachment & { key: string })[] = [];
  entries.forEach(([key, settings], i) => {
    const at: Path = Array.isArray(raw) ? [...path, i] : [...path, key];
    const name = src.naming.network(key);
    if (name === undefined) {
      src.d.fail(at, `the network "${key}" is not declared`, `declare it under the top-level networks:, e.g. networks: {${key}: {external: true}} for an existing Docker network`);
    }
    src.naming.usedNetwork(src.d, key);
    const aliases: string[] = name === "bridge" ? [] : [...src.naming.aliases(service)];
    if (isObj(settings)) {
      for (const [setting, value] of Object.entries(settings)) {
        if (setting === "aliases") aliases.push(...list(value).filter((a) => !aliases.includes(a)));
        else if (!isExtension(setting)) src.d.ignore([...at, setting], "pod sets only aliases on a network; Docker assigns the addresses");
      }
    }
    if (name === "bridge" && aliases.length > 0) {
      src.d.fail([...at, "aliases"], "Docker's default bridge resolves no names", `give ${key} a user-defined network: networks: {${key}: {name: NET, external: true}} after docker network create NET`);
    }
    const existing = out.find((n) => n.name === name);
    if (existing) existing.aliases.push(...aliases.filter((a) => !existing.aliases.includes(a)));
    else out.push({ key, name, aliases });
  });
  return out;
}

/** The sandbox's network, and the file's networks it joins by key (none on the host's network or with network_mode). */
export function network(src: Source, at: Path, s: Obj, ext: PodExtension): { spec: NetworkSpec; joins: { key: string; name: string }[] } {
  const d: Diagnostics = src.d;
  const mode = typeof s["network_mode"] === "string" ? s["network_mode"] : null;
  if (mode !== null && s["networks"] !== undefined) {
    d.fail([...at, "network_mode"], "cannot be combined with networks:", "keep one of them (Compose refuses both too)");
  }
  if (mode === "none" || mode?.startsWith("container:") || mode?.startsWith("service:")) {
    d.fail([...at, "network_mode"], `"${mode}" would take the pod out of its own namespace`, "the sandbox owns the network and publishes the ports: name a network, host, or leave network_mode out");
  }
  // A service on the host's network joins no network of the project.
  const keyed = mode === null ? serviceNetworks(src, at[1] as string, [...at, "networks"], s["networks"], ext.balance !== "host") : [];
  let joined: NetworkAttachment[] =
    mode === null ? keyed.map(({ name, aliases }) => ({ name, aliases })) : mode === "host" ? [{ name: "host", aliases: [] }] : mode === "default" || mode === "bridge" ? [] : [{ name: mode, aliases: [] }];
  if (joined.some((n) => n.name === "none")) d.fail([...at, "networks"], `the network "none" would take the pod out of its own namespace`, "name a bridge or user-defined network, or leave it out");

  let balance: Balance = ext.balance ?? "reuseport";
  const onHost = joined.some((n) => n.name === "host");
  if (onHost) {
    if (joined.length > 1) d.fail([...at, "networks"], "the host network cannot be combined with other networks", "give the host network alone");
    if (ext.balance !== undefined && ext.balance !== "host") {
      d.fail([...at, POD_EXTENSION, "balance"], `${ext.balance} has no meaning on the host's network`, "on the host's network replicas share the port with SO_REUSEPORT: leave balance out");
    }
    balance = "host";
    joined = [];
  } else if (modeOf({ balance }).hostNamespace && joined.length > 0) {
    d.fail([...at, POD_EXTENSION, "balance"], "host cannot be combined with networks", "leave networks out, or write network_mode: host");
  }

  const onHostNamespace = modeOf({ balance }).hostNamespace;
  const published = ports(src, [...at, "ports"], s["ports"], onHostNamespace);
  d.reuse([...at, "ports"], () => checkPortConflicts(published));
  const spec: NetworkSpec = {
    balance,
    ports: published,
    networks: joined,
    hostname: typeof s["hostname"] === "string" ? s["hostname"] : null,
    dns: list(s["dns"]),
    dnsSearch: list(s["dns_search"]),
    dnsOptions: list(s["dns_opt"]),
    extraHosts: extraHosts(src, [...at, "extra_hosts"], s["extra_hosts"]),
  };
  if (onHostNamespace) {
    const refused = (
      [
        ["hostname", spec.hostname !== null],
        ["dns", spec.dns.length > 0],
        ["dns_search", spec.dnsSearch.length > 0],
        ["dns_opt", spec.dnsOptions.length > 0],
        ["extra_hosts", spec.extraHosts.length > 0],
      ] as const
    ).find(([, given]) => given);
    if (refused) d.fail([...at, refused[0]], "has no meaning on the host's network", "the host's own name, resolver and hosts file apply: leave it out");
  }
  return { spec, joins: onHostNamespace ? [] : keyed.map(({ key, name }) => ({ key, name })) };
}
