import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  checkEnvSize,
  checkLabelSize,
  checkPortConflicts,
  defaultPodName,
  ENV_LIMITS,
  formatPort,
  parseCpus,
  parseDnsServer,
  parseEnv,
  parseEnvFile,
  parseHostname,
  parseLabels,
  parseMemory,
  parseNetworkName,
  parseParallel,
  parsePodName,
  parsePublish,
  parseReplicas,
  parseSeconds,
  parseSince,
  parseStopSignal,
  parseVolume,
} from "../../../src/podspec/parse.js";
import { replicaHash } from "../../../src/podspec/hash.js";
import type { PortMapping } from "../../../src/podspec/types.js";
import { replicaSpec } from "../../support/builders.js";

/** The one line a refusal prints: what was wrong; what to do. */
function line(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof UsageError) return `${err.message}; ${err.hint}`;
    throw err;
  }
  throw new Error("not refused");
}

const tcp = (hostPort: number | null, containerPort: number, hostIp = ""): PortMapping => ({ hostIp, hostPort, containerPort, protocol: "tcp" });

describe("parsePublish: good", () => {
  const good: [string, PortMapping[]][] = [
    ["80:8080", [tcp(80, 8080)]],
    ["8080", [tcp(null, 8080)]],
    ["127.0.0.1:80:8080", [tcp(80, 8080, "127.0.0.1")]],
    ["127.0.0.1::8080", [tcp(null, 8080, "127.0.0.1")]],
    ["[::1]:80:8080", [tcp(80, 8080, "::1")]],
    ["53:53/udp", [{ hostIp: "", hostPort: 53, containerPort: 53, protocol: "udp" }]],
    ["80:8080/TCP", [tcp(80, 8080)]],
    ["8000-8001:9000-9001", [tcp(8000, 9000), tcp(8001, 9001)]],
    ["65535:1", [tcp(65535, 1)]],
  ];
  for (const [input, expected] of good) it(input, () => expect(parsePublish(input)).toEqual(expected));
});

describe("parsePublish: bad, each one line naming the fault", () => {
  const bad: [string, RegExp][] = [
    ["80:0", /port 0 is out of range/],
    ["70000:80", /port 70000 is out of range/],
    ["80:8080/sctp", /unknown protocol "sctp"/],
    ["80:http", /"http" is not a port number/],
    ["1.2.3.4:5:6:7", /malformed/],
    ["abc:80:8080", /"abc" is not an IPv4 address/],
    ["80:", /no container port/],
    ["[::1:80:8080", /malformed IPv6/],
    ["8000-8002:9000-9001", /ranges differ in length/],
    ["9000-8000:80", /runs backwards/],
    ["", /no container port/],
  ];
  for (const [input, message] of bad) {
    it(JSON.stringify(input), () => {
      expect(() => parsePublish(input)).toThrow(UsageError);
      expect(() => parsePublish(input)).toThrow(message);
    });
  }
});

describe("checkPortConflicts", () => {
  it("refuses one host port twice", () => {
    expect(() => checkPortConflicts([tcp(80, 8080), tcp(80, 9090)])).toThrow(/host port 80\/tcp is published twice/);
  });
  it("refuses a specific address against the wildcard", () => {
    expect(() => checkPortConflicts([tcp(80, 8080, "127.0.0.1"), tcp(80, 9090)])).toThrow(/published twice/);
  });
  it("allows one port number for tcp and udp, or on two addresses", () => {
    expect(() => checkPortConflicts([tcp(53, 53), { ...tcp(53, 53), protocol: "udp" }])).not.toThrow();
    expect(() => checkPortConflicts([tcp(80, 80, "127.0.0.1"), tcp(80, 80, "127.0.0.2")])).not.toThrow();
  });
  it("allows two ports Docker picks", () => {
    expect(() => checkPortConflicts([tcp(null, 80), tcp(null, 81)])).not.toThrow();
  });
});

describe("replicas", () => {
  it.each([["0", 0], ["3", 3], ["100", 100], [" 7 ", 7]])("%s is %d", (raw, n) => expect(parseReplicas(raw)).toBe(n));
  it.each([
    ["abc", /not a whole number/],
    ["2.5", /not a whole number/],
    ["-1", /out of range/],
    ["101", /out of range/],
    ["", /not a whole number/],
  ])("%s is refused", (raw, message) => expect(() => parseReplicas(raw)).toThrow(message));
});

describe("names", () => {
  it.each([
    ["http_server", "http_server"],
    ["registry.example/team/web:1.2", "web"],
    ["localhost:5000/app", "app"],
    ["web@sha256:" + "ab".repeat(32), "web"],
    ["127.0.0.1:5000/team/web:1.0", "web"],
  ])("image %s names pod %s", (image, name) => expect(defaultPodName(image)).toBe(name));

  it.each(["-web", "we b", "web/x", "", "a".repeat(65)])("pod name %j is refused", (name) => {
    expect(() => parsePodName(name)).toThrow(/invalid pod name/);
  });
});

describe("env", () => {
  it("takes KEY=VALUE, KEY from pod's environment, and -e over the file", () => {
    expect(parseEnv(["A=1", "HOME", "MISSING", "B=x=y"], ["A=0", "C=3"], { HOME: "/root" })).toEqual(["A=1", "C=3", "HOME=/root", "B=x=y"]);
  });
  it("refuses an entry with no name", () => expect(() => parseEnv(["=1"], [], {})).toThrow(/no variable name/));
  it("reads Docker env files, skipping comments and blank lines", () => {
    expect(parseEnvFile("# c\n\nA=1\nB\n", "f")).toEqual(["A=1", "B"]);
  });
  it("names the bad line of an env file", () => expect(() => parseEnvFile("A=1\nnot valid=2\n", "f.env")).toThrow(/f\.env:2/));
});

describe("limits and volumes", () => {
  it.each([["512m", 512 * 1024 ** 2], ["1G", 1024 ** 3], ["6291456", 6291456]])("memory %s", (raw, bytes) => expect(parseMemory(raw)).toBe(bytes));
  it.each(["lots", "1t", "1m"])("memory %s is refused", (raw) => expect(() => parseMemory(raw)).toThrow(UsageError));
  it("cpus", () => expect(parseCpus("1.5")).toBe(1_500_000_000));
  it.each(["0", "-1", "x"])("cpus %s is refused", (raw) => expect(() => parseCpus(raw)).toThrow(UsageError));
  it.each([["0.01", 10_000_000], ["8192", 8192e9]])("cpus %s is Docker's and the kernel's bound", (raw, nano) => expect(parseCpus(raw)).toBe(nano));
  it.each(["0.001", "0.009", "9999"])("cpus %s is out of range", (raw) => expect(() => parseCpus(raw)).toThrow(/--cpus \S+ is out of range/));
  it.each(["99999999999999g", "9999999999999999999"])("memory %s is larger than any host's", (raw) => expect(() => parseMemory(raw)).toThrow(/larger than any host's memory/));
  it.each(["/data", "vol:/data", "/srv:/data:ro", "my-vol.1:/data:ro,nocopy", "/srv:/data:rw,Z,rslave"])("volume %s", (v) => expect(parseVolume(v)).toBe(v));
  it.each([
    ["data", /malformed/],
    ["vol:data", /malformed/],
    ["a:/b:ro:x", /malformed/],
    [":/data", /malformed/],
    ["relative/path:/data", /"relative\/path" is neither an absolute path nor a volume name; a bind mount needs an absolute path, e.g. "\$PWD\/relative\/path:\/data"/],
    ["./data:/data", /\$PWD\/data:\/data/],
    ["v:/data", /neither an absolute path nor a volume name/],
    ["/src:/data:bogus", /unknown option "bogus"/],
    ["/src:/data:ro,rw", /gives rw and ro together/],
  ])("volume %s is refused", (v, message) => expect(line(() => parseVolume(v))).toMatch(message));
});

describe("signals, names and addresses", () => {
  it.each(["SIGTERM", "TERM", "sigquit", "SIGRTMIN+3", "RTMAX-1", "15", "64"])("stop signal %s", (raw) => expect(parseStopSignal(raw)).toBe(raw));
  it.each(["SIGBOGUS", "999", "0", "65", "SIGRTMIN+16", "", "-9"])("stop signal %j is refused", (raw) => expect(() => parseStopSignal(raw)).toThrow(/is not a signal/));
  it.each(["web", "web-1.example.com", "a_b", "x".repeat(63)])("hostname %s", (raw) => expect(parseHostname(raw)).toBe(raw));
  it.each(["bad host!", "", "-web", "web-", "a..b", "x".repeat(65), "é"])("hostname %j is refused", (raw) => expect(() => parseHostname(raw)).toThrow(/is not a host name/));
  it.each(["1.1.1.1", "::1", "fe80::1"])("dns %s", (raw) => expect(parseDnsServer(raw)).toBe(raw));
  it.each(["notanip", "", "1.1.1", "dns.google"])("dns %j is refused", (raw) => expect(() => parseDnsServer(raw)).toThrow(/is not an IP address/));
  it.each(["bridge", "app_net", "proj-default.1"])("network %s", (raw) => expect(parseNetworkName(raw)).toBe(raw));
  it.each(["", " ", "a b", "-x"])("network %j is refused", (raw) => expect(() => parseNetworkName(raw)).toThrow(/is not a network name/));
});

describe("numbers with a floor", () => {
  it("--parallel is 1 to 100: 0 would replace nothing", () => {
    expect(parseParallel("1")).toBe(1);
    expect(line(() => parseParallel("0"))).toMatch(/--parallel 0 is out of range; replicas replaced at once: pass a whole number from 1 to 100/);
  });
  it("a floor for seconds", () => expect(() => parseSeconds("--ready-timeout", "0", 3600, 1)).toThrow(/--ready-timeout 0 is out of range/));
});

describe("--since", () => {
  const now = Date.parse("2026-11-22T10:00:00Z");
  it.each([
    ["10m", now / 1000 - 600],
    ["1767225600", 1767225600],
    ["2026-11-22T09:00:00Z", now / 1000 - 3600],
    ["99999999h", 0], // before 1970: every line the engine has
  ])("%s", (raw, seconds) => expect(parseSince(raw, now)).toBe(seconds));
  it.each([
    ["99999999999999999999", /past the year 9999/],
    ["-1h", /is not a time/],
    ["soon", /is not a time/],
  ])("%s is refused", (raw, message) => expect(() => parseSince(raw, now)).toThrow(message));
});

describe("env: what a process can be started with, named by key, never by value", () => {
  const refused: [string, string[], string[], RegExp][] = [
    ["a NUL byte", [], ["DB_PASSWORD=hunter2\0x"], /^variable DB_PASSWORD holds a NUL byte/],
    ["one variable over the kernel's 128 KiB", ["BIG=" + "x".repeat(128 * 1024)], [], /^variable BIG is 129 KiB, and the kernel starts no process with one variable over 128 KiB/],
    ["the whole over 256 KiB", Array.from({ length: 300 }, (_, i) => `K${i}=${"s".repeat(1000)}`), [], /^the environment is 29\d KiB in 300 variables, more than the 256 KiB pod allows/],
    ["more than 1024 variables", Array.from({ length: 1025 }, (_, i) => `K${i}=1`), [], /^the environment has 1025 variables, more than the 1024 pod allows/],
    ["POD_NAME, which pod sets", ["POD_NAME=x"], [], /^variable POD_NAME is set by pod itself/],
    ["POD_REPLICA from pod's own environment", ["POD_REPLICA"], [], /^variable POD_REPLICA is set by pod itself/],
    ["no name", ["=hunter2"], [], /^--env "=…" has no variable name/],
  ];
  it.each(refused)("%s", (_, flags, file, message) => {
    let error: unknown;
    try {
      parseEnv(flags, file, { POD_REPLICA: "1" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/hunter2|xxxx|ssss/);
  });
  it("takes the limits themselves", () => {
    const entry = "K=" + "v".repeat(ENV_LIMITS.entryBytes - 2);
    expect(parseEnv([entry], [], {})).toEqual([entry]);
    expect(() => checkEnvSize(Array.from({ length: ENV_LIMITS.count }, (_, i) => `K${i}=1`))).not.toThrow();
  });
  it("an env file's NUL is named by file, line and key", () => {
    expect(() => parseEnvFile("A=1\nDB_PASSWORD=hunter2\0\n", "app.env")).toThrow(/^--env-file app\.env:2: variable DB_PASSWORD holds a NUL byte \(the value is not shown/);
  });
  it("an env file's bad line is named by its key, not its text", () => {
    expect(() => parseEnvFile("my password=hunter2\n", "app.env")).toThrow(/^--env-file app\.env:1: "my password" is not a variable name$/);
  });
  it("labels are bounded as a whole", () => {
    expect(() => parseLabels([`big=${"x".repeat(ENV_LIMITS.labelBytes)}`], "dev.pod.")).toThrow(/^the labels are 65 KiB, more than the 64 KiB pod allows/);
    expect(() => checkLabelSize({ a: "1" })).not.toThrow();
  });
});

describe("replicaHash", () => {
  it("is stable, and changes with anything a replica runs", () => {
    const base = replicaSpec();
    expect(replicaHash(base)).toBe(replicaHash(replicaSpec()));
    expect(replicaHash(replicaSpec({ labels: { b: "1", a: "2" } }))).toBe(replicaHash(replicaSpec({ labels: { a: "2", b: "1" } })));
    for (const change of [{ image: "x" }, { imageId: "sha256:x" }, { env: ["A=1"] }, { command: ["x"] }, { user: "1000" }, { memoryBytes: 1 }]) {
      expect(replicaHash(replicaSpec(change))).not.toBe(replicaHash(base));
    }
  });
});

describe("IPv6 port forms", () => {
  it("shows [::] as itself, not as 0.0.0.0", () => {
    const [p] = parsePublish("[::]:80:8080");
    expect(p).toEqual({ hostIp: "::", hostPort: 80, containerPort: 8080, protocol: "tcp" });
    expect(formatPort(p!)).toBe("[::]:80->8080/tcp");
  });
  it("refuses a zoned link-local address, which Docker would publish everywhere", () => {
    expect(() => parsePublish("[fe80::1%eth0]:80:8080")).toThrow(/zoned address/);
  });
  it("lets 0.0.0.0 and [::] share a host port (two families), but not with every address", () => {
    expect(() => checkPortConflicts([...parsePublish("0.0.0.0:80:8080"), ...parsePublish("[::]:80:8080")])).not.toThrow();
    expect(() => checkPortConflicts([...parsePublish("80:8080"), ...parsePublish("[::1]:80:9090")])).toThrow(/published twice/);
    expect(() => checkPortConflicts([...parsePublish("[::]:80:8080"), ...parsePublish("[::1]:80:9090")])).toThrow(/published twice/);
  });
});
