// Listening sockets of a network namespace, read from its /proc/net tables: the same
// answer as the sandbox's `pod-sandbox probe`, in the same words. Pure.

const TCP_LISTEN = 0x0a;
/** An unconnected, bound UDP socket. */
const UDP_CLOSE = 0x07;

function hexPort(address: string): number {
  return parseInt(address.slice(address.lastIndexOf(":") + 1), 16);
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
          if (f.length < 10 || hexPort(f[1]!) !== Number(port)) continue;
          const state = parseInt(f[3]!, 16);
          if (udp ? state === UDP_CLOSE && hexPort(f[2]!) === 0 : state === TCP_LISTEN) inodes.push(f[9]!);
        }
      }
      inodes.sort();
      return `${port}/${proto} ${inodes.length} ${inodes.length > 0 ? inodes.join(",") : "-"}\n`;
    })
    .join("");
}
