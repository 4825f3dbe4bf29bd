// Listening sockets of a network namespace, read from its /proc/net tables: the same
// answer as the sandbox's `pod-sandbox probe`, in the same words; and which tables are
// worth reading. Pure.

const TCP_LISTEN = 0x0a;
/** An unconnected, bound UDP socket. */
const UDP_CLOSE = 0x07;

function hexPort(address: string): number {
  return parseInt(address.slice(address.lastIndexOf(":") + 1), 16);
}

/**
 * 127.0.0.0/8 ("…7F" little-endian), ::1, and ::ffff:127.x: a server bound there cannot be
 * reached through the published port, so it does not count as listening.
 */
export function isLoopback(address: string): boolean {
  const hex = address.slice(0, address.lastIndexOf(":"));
  if (hex.length === 8) return hex.endsWith("7F");
  return hex === "00000000000000000000000001000000" || (hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F"));
}

/** `PORT/PROTO COUNT INODE,INODE…|-` per port, as `pod-sandbox probe PORT/PROTO…` prints. */
export function listenersFromTables(tables: { tcp: string[]; udp: string[] }, ports: string[]): string {
  return ports
    .map((spec) => {
      const [port, proto = "tcp"] = spec.split("/");
      const udp = proto === "udp";
      const inodes: string[] = [];
      for (const table of udp ? tables.udp : tables.tcp) {
        for (const line of table.split("\n").slice(1)) {
          const f = line.trim().split(/\s+/);
          if (f.length < 10 || hexPort(f[1]!) !== Number(port) || isLoopback(f[1]!)) continue;
          const state = parseInt(f[3]!, 16);
          if (udp ? state === UDP_CLOSE && hexPort(f[2]!) === 0 : state === TCP_LISTEN) inodes.push(f[9]!);
        }
      }
      inodes.sort();
      return `${port}/${proto} ${inodes.length} ${inodes.length > 0 ? inodes.join(",") : "-"}\n`;
    })
    .join("");
}

export type NetTable = "tcp" | "tcp6" | "udp" | "udp6";

/**
 * How many sockets each table of a namespace holds, from its /proc/net/sockstat and
 * sockstat6 (cheap, unlike the tables: reading /proc/net/tcp walks the kernel's whole
 * established hash, ~3 ms here however empty the namespace). 0: no need to read it. A
 * count pod cannot read is Infinity: read the table.
 */
export function socketsInUse(sockstat: string, sockstat6: string): Record<NetTable, number> {
  const count = (text: string, proto: string) => {
    const m = new RegExp(`^${proto}: inuse (\\d+)`, "m").exec(text);
    return m ? Number(m[1]) : Infinity;
  };
  return { tcp: count(sockstat, "TCP"), udp: count(sockstat, "UDP"), tcp6: count(sockstat6, "TCP6"), udp6: count(sockstat6, "UDP6") };
}

/**
 * Whether a /proc/net/tcp text read so far holds every listener: the kernel lists them
 * first, so one line in another state means they are all there; so does one LISTEN line
 * per socket in use. Reading on would walk the established hash again for nothing.
 */
export function listenersComplete(text: string, inUse: number): boolean {
  let listening = 0;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (parseInt(f[3]!, 16) !== TCP_LISTEN) return true;
    listening++;
  }
  return listening >= inUse;
}
