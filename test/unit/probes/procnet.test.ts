// Listening sockets read from /proc/net tables, as the sandbox's probe counts them.
import { describe, expect, it } from "vitest";
import { isLoopback, listenersComplete, listenersFromTables, socketsInUse } from "../../../src/probes/procnet.js";

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

describe("which tables are worth reading", () => {
  const sockstat = "sockets: used 4\nTCP: inuse 3 orphan 0 tw 2 alloc 11 mem 217\nUDP: inuse 0 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n";
  const sockstat6 = "TCP6: inuse 0\nUDP6: inuse 1\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n";

  it("socketsInUse: each table's count; one pod cannot read is Infinity", () => {
    expect(socketsInUse(sockstat, sockstat6)).toEqual({ tcp: 3, udp: 0, tcp6: 0, udp6: 1 });
    expect(socketsInUse("", "")).toEqual({ tcp: Infinity, udp: Infinity, tcp6: Infinity, udp6: Infinity });
  });

  const l = (n: number, st = "0A") => line("00000000:1F90", "00000000:0000", st, n);
  it.each([
    ["every socket in use is a listener read", [HEAD, l(1), l(2), l(3)], 3, true],
    ["a listener may still come", [HEAD, l(1), l(2)], 3, false],
    ["past the listeners: an established one", [HEAD, l(1), l(2, "01")], 5, true],
    ["a TIME_WAIT line after them", [HEAD, l(1), l(2, "06")], 9, true],
    ["only the header so far", [HEAD], 1, false],
    ["a line cut mid-read is not counted", [HEAD, l(1), l(2).slice(0, 30)], 2, false],
  ])("listenersComplete: %s", (_name, lines, inUse, done) => {
    expect(listenersComplete(lines.join("\n"), inUse)).toBe(done);
  });
});
