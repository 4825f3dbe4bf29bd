import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  checkPortConflicts,
  defaultPodName,
  formatPort,
  parseCpus,
  parseEnv,
  parseEnvFile,
  parseMemory,
  parsePodName,
  parsePublish,
  parseReplicas,
  parseVolume,
} from "../../../src/spec/parse.js";
import { replicaHash } from "../../../src/spec/hash.js";
import type { PortMapping } from "../../../src/spec/types.js";
import { replicaSpec } from "../../support/builders.js";

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
  it.each(["/data", "vol:/data", "/srv:/data:ro"])("volume %s", (v) => expect(parseVolume(v)).toBe(v));
  it.each(["data", "vol:data", "a:/b:ro:x", ":/data"])("volume %s is refused", (v) => expect(() => parseVolume(v)).toThrow(UsageError));
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
