// Listening sockets read from /proc/net tables, as the sandbox's probe counts them.
import { describe, expect, it } from "vitest";
import { isLoopback, listenersFromTables } from "../../../src/probes/procnet.js";

const HEAD = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const line = (local: string, remote: string, st: string, inode: number) => `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

describe("listenersFromTables", () => {
  const tcp = [HEAD, line("00000000:1F90", "00000000:0000", "0A", 11), line("00000000:1F90", "00000000:0000", "0A", 12), line("0100007F:1F90", "00000000:0000", "0A", 13), line("0200000A:1F90", "0300000A:D431", "01", 14)].join("\n");
  const tcp6 = [HEAD, line("00000000000000000000000000000000:1F90", "00000000000000000000000000000000:0000", "0A", 15), line("00000000000000000000000001000000:1F90", "00000000000000000000000000000000:0000", "0A", 16)].join("\n");
  const udp = [HEAD, line("00000000:0035", "00000000:0000", "07", 21), line("00000000:0035", "0200000A:0035", "01", 22)].join("\n");

  it("counts LISTEN sockets on the port, in both families, with their inodes, and no loopback one", () => {
    expect(listenersFromTables({ tcp: [tcp, tcp6], udp: [udp] }, ["8080/tcp", "53/udp", "9090/tcp"])).toBe("8080/tcp 3 11,12,15\n53/udp 1 21\n9090/tcp 0 -\n");
  });

  it("knows loopback addresses", () => {
    expect(["0100007F:1F90", "0101007F:0050", "00000000000000000000000001000000:1F90", "0000000000000000FFFF00000100007F:1F90"].map(isLoopback)).toEqual([true, true, true, true]);
    expect(["00000000:1F90", "0200000A:1F90", "00000000000000000000000000000000:1F90"].map(isLoopback)).toEqual([false, false, false]);
  });
});
