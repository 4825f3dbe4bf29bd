import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  applyHealthFlags,
  describeHealth,
  formatGoDuration,
  healthcheckConfig,
  healthFromCompose,
  healthFromFlags,
  isDefaultHealth,
  parseGoDuration,
  parseHealthCmd,
  probeDeadlineMs,
  type ComposeHealthcheck,
  type ComposePodProbe,
  type HealthFlags,
  type ReplicaHealthConfig,
} from "../../../src/podspec/health.js";
import { DEFAULT_HEALTH, type HealthSpec, type PortMapping } from "../../../src/podspec/types.js";

const web: PortMapping[] = [{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" }];
const udpOnly: PortMapping[] = [{ hostIp: "", hostPort: 53, containerPort: 53, protocol: "udp" }];
const health = (check: HealthSpec["check"], t: Partial<Omit<HealthSpec, "check">> = {}): HealthSpec => ({ ...DEFAULT_HEALTH, check, ...t });

describe("parseGoDuration: what Go 1.19's time.ParseDuration returns (docker's --health-* flags)", () => {
  // Expected values printed by Go itself (time.ParseDuration), not by this implementation.
  const rows: [string, bigint | RegExp][] = [
    ["0", 0n],
    ["+0", 0n],
    ["-0", 0n],
    ["1s", 1_000_000_000n],
    ["1m30s", 90_000_000_000n],
    ["1.5h", 5_400_000_000_000n],
    ["500ms", 500_000_000n],
    ["1h2m3.5s", 3_723_500_000_000n],
    [".5s", 500_000_000n],
    ["1.s", 1_000_000_000n],
    ["1.0000000001s", 1_000_000_000n],
    ["300us", 300_000n],
    ["300µs", 300_000n],
    ["300μs", 300_000n],
    ["1ns", 1n],
    ["9223372036854775807ns", 9223372036854775807n],
    ["-9223372036854775808ns", -9223372036854775808n],
    ["2562047h47m16.854775807s", 9223372036854775807n],
    ["1.9999999999999999999999s", 2_000_000_000n],
    ["0.3333333333333333333h", 1_200_000_000_000n],
    ["+1.5s", 1_500_000_000n],
    ["-2s", -2_000_000_000n],
    ["0.0000001ms", 0n],
    ["0.5ns", 0n],
    ["9223372036854775808ns", /invalid duration/],
    ["2562048h", /invalid duration/],
    ["100000000000000000000ns", /invalid duration/],
    ["1e3s", /unknown unit "e"/],
    ["", /invalid duration/],
    [".", /invalid duration/],
    [".s", /invalid duration/],
    ["s", /invalid duration/],
    ["1", /missing unit/],
    ["10", /missing unit/],
    ["3ms5", /missing unit/],
    ["1x", /unknown unit "x"/],
    ["1sec", /unknown unit "sec"/],
    ["1d", /unknown unit "d"/],
    ["1S", /unknown unit "S"/],
    ["1s ", /unknown unit "s "/],
    [" 1s", /invalid duration/],
    ["- 1s", /invalid duration/],
    ["1h-1m", /unknown unit "h-"/],
  ];
  for (const [input, want] of rows) {
    it(JSON.stringify(input), () => {
      const got = parseGoDuration(input);
      if (typeof want === "bigint") expect(got).toEqual({ ns: want });
      else expect("error" in got && got.error).toMatch(want);
    });
  }
});

describe("formatGoDuration: Go's Duration.String()", () => {
  const rows: [number, string][] = [
    [0, "0s"],
    [1500, "1.5s"],
    [90_000, "1m30s"],
    [0.5, "500µs"],
    [0.001, "1µs"],
    [1, "1ms"],
    [30_000, "30s"],
    [3_600_000, "1h0m0s"],
    [3_661_500, "1h1m1.5s"],
    [86_400_000, "24h0m0s"],
  ];
  for (const [ms, want] of rows) it(`${ms} ms → ${want}`, () => expect(formatGoDuration(ms)).toBe(want));
  it("reads back as it was", () => {
    for (const [ms, text] of rows) expect(parseGoDuration(text)).toEqual({ ns: BigInt(Math.round(ms * 1e6)) });
  });
});

describe("parseHealthCmd: docker's CMD-SHELL, or the exec form as a JSON array", () => {
  const rows: [string, string[]][] = [
    ["curl -f http://localhost/", ["CMD-SHELL", "curl -f http://localhost/"]],
    ['["/http_server", "-health-check"]', ["CMD", "/http_server", "-health-check"]],
    ['["CMD", "/app", "check"]', ["CMD", "/app", "check"]],
    ['["CMD-SHELL", "pg_isready"]', ["CMD-SHELL", "pg_isready"]],
    ["[ -f /tmp/ready ]", ["CMD-SHELL", "[ -f /tmp/ready ]"]],
    ["[1, 2]", ["CMD-SHELL", "[1, 2]"]],
    ["[]", ["CMD-SHELL", "[]"]],
  ];
  for (const [input, want] of rows) it(input, () => expect(parseHealthCmd(input)).toEqual(want));
});

describe("healthFromFlags: good, as docker run spells them", () => {
  const rows: [string, HealthFlags, PortMapping[], HealthSpec][] = [
    ["nothing given: the image's own check", {}, web, DEFAULT_HEALTH],
    ["--health-cmd: a shell command", { "health-cmd": "curl -f localhost" }, web, health({ kind: "cmd", test: ["CMD-SHELL", "curl -f localhost"] })],
    [
      "--health-cmd with every timing",
      { "health-cmd": '["/http_server","-health-check"]', "health-interval": "1s", "health-timeout": "500ms", "health-retries": "2", "health-start-period": "1m30s" },
      web,
      { check: { kind: "cmd", test: ["CMD", "/http_server", "-health-check"] }, intervalMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 90_000 },
    ],
    ["timings alone apply to the image's check", { "health-interval": "2s" }, web, health({ kind: "image" }, { intervalMs: 2000 })],
    ["a zero duration is unset, as docker takes it", { "health-interval": "0", "health-cmd": "true" }, web, health({ kind: "cmd", test: ["CMD-SHELL", "true"] })],
    ["sub-millisecond precision is kept", { "health-timeout": "1.5ms" }, web, health({ kind: "image" }, { timeoutMs: 1.5 })],
    ["--no-healthcheck", { healthcheck: false }, web, health({ kind: "none" })],
    ["--health-http: the first published TCP port", { "health-http": "/health" }, web, health({ kind: "http", path: "/health", port: null })],
    ["--health-http with a query", { "health-http": "/health?deep=1" }, web, health({ kind: "http", path: "/health?deep=1", port: null })],
    ["--health-http --health-port: an unpublished port", { "health-http": "/ready", "health-port": "9090" }, [], health({ kind: "http", path: "/ready", port: 9090 })],
    ["--health-tcp with timings", { "health-tcp": true, "health-interval": "1s", "health-retries": "5" }, web, health({ kind: "tcp", port: null }, { intervalMs: 1000, retries: 5 })],
    ["--no-health-tcp says nothing", { "health-tcp": false }, web, DEFAULT_HEALTH],
    ["--healthcheck: the image's own", { healthcheck: true }, web, DEFAULT_HEALTH],
  ];
  for (const [situation, flags, ports, want] of rows) it(situation, () => expect(healthFromFlags(flags, ports)).toEqual(want));
});

describe("healthFromFlags: bad input, one line each", () => {
  const rows: [string, HealthFlags, PortMapping[], RegExp][] = [
    ["malformed duration", { "health-interval": "1x" }, web, /^--health-interval "1x" is not a duration \(unknown unit "x"\)$/],
    ["a duration without a unit", { "health-timeout": "30" }, web, /^--health-timeout "30" is not a duration \(missing unit\)$/],
    ["a negative duration", { "health-start-period": "-1s" }, web, /^--health-start-period -1s cannot be negative$/],
    ["under Docker's 1ms", { "health-interval": "500us" }, web, /^--health-interval 500us is under Docker's minimum of 1ms$/],
    ["retries 0", { "health-retries": "0" }, web, /^--health-retries 0: a check must be allowed to fail 1 or more times$/],
    ["retries below 0", { "health-retries": "-2" }, web, /^--health-retries -2: /],
    ["retries not a number", { "health-retries": "three" }, web, /^--health-retries "three" is not a whole number$/],
    ["--health-http without a leading /", { "health-http": "health" }, web, /^--health-http "health" does not start with \/$/],
    ["--health-http with a space", { "health-http": "/a b" }, web, /has a space or control character/],
    ["--health-http with --no-healthcheck", { "health-http": "/health", healthcheck: false }, web, /^--health-http and --no-healthcheck cannot be combined$/],
    ["the conflict comes before the bad path", { "health-http": "health", healthcheck: false }, web, /^--health-http and --no-healthcheck cannot be combined$/],
    ["two probe kinds", { "health-cmd": "true", "health-tcp": true }, web, /^--health-cmd and --health-tcp cannot be combined$/],
    ["--health-http and --health-tcp", { "health-http": "/", "health-tcp": true }, web, /^--health-http and --health-tcp cannot be combined$/],
    ["timings with --no-healthcheck", { healthcheck: false, "health-interval": "1s" }, web, /^--health-interval has no meaning with --no-healthcheck$/],
    ["retries with --no-healthcheck", { healthcheck: false, "health-retries": "3" }, web, /^--health-retries has no meaning with --no-healthcheck$/],
    ["--health-port without a probe", { "health-port": "8080" }, web, /^--health-port applies to --health-http and --health-tcp$/],
    ["--health-port out of range", { "health-tcp": true, "health-port": "70000" }, web, /^--health-port "70000" is not a port$/],
    ["--health-http with no TCP port published", { "health-http": "/health" }, udpOnly, /^--health-http needs a port, and the pod publishes no TCP port$/],
    ["--health-tcp with nothing published", { "health-tcp": true }, [], /^--health-tcp needs a port/],
    ["an empty --health-cmd", { "health-cmd": " " }, web, /^--health-cmd is empty$/],
    ["--health-cmd NONE", { "health-cmd": '["NONE"]' }, web, /turns the check off/],
    ["--health-cmd CMD-SHELL with two strings", { "health-cmd": '["CMD-SHELL", "a", "b"]' }, web, /takes one command string/],
  ];
  for (const [situation, flags, ports, message] of rows) {
    it(situation, () => {
      let thrown: unknown;
      try {
        healthFromFlags(flags, ports);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as UsageError).message).toMatch(message);
      expect((thrown as UsageError).hint).toBeTruthy();
    });
  }
});

describe("applyHealthFlags: pod set changes only what it names", () => {
  const http = health({ kind: "http", path: "/health", port: null }, { intervalMs: 1000, retries: 2 });
  const rows: [string, HealthSpec, HealthFlags, HealthSpec | RegExp][] = [
    ["a timing alone keeps the check", http, { "health-timeout": "2s" }, { ...http, timeoutMs: 2000 }],
    ["a new port keeps the path", http, { "health-port": "9090" }, { ...http, check: { kind: "http", path: "/health", port: 9090 } }],
    ["a new kind keeps the timings", http, { "health-tcp": true }, { ...http, check: { kind: "tcp", port: null } }],
    ["--no-healthcheck drops the timings", http, { healthcheck: false }, health({ kind: "none" })],
    ["--healthcheck: back to the image's own, at its timings", http, { healthcheck: true }, DEFAULT_HEALTH],
    ["--healthcheck with a timing", http, { healthcheck: true, "health-interval": "5s" }, health({ kind: "image" }, { intervalMs: 5000 })],
    ["a timing with no check recorded", health({ kind: "none" }), { "health-interval": "1s" }, /^--health-interval has no meaning: the pod's replicas have no health check$/],
    ["a port for a command check", health({ kind: "cmd", test: ["CMD", "true"] }), { "health-port": "1" }, /^--health-port applies to/],
  ];
  for (const [situation, base, flags, want] of rows) {
    it(situation, () => {
      if (want instanceof RegExp) expect(() => applyHealthFlags(base, flags, web)).toThrow(want);
      else expect(applyHealthFlags(base, flags, web)).toEqual(want);
    });
  }
});

describe("healthcheckConfig: Docker's Healthcheck for a replica", () => {
  const probe = "/.pod/pod-sandbox";
  const rows: [string, HealthSpec | undefined, PortMapping[], ReplicaHealthConfig][] = [
    ["no health in the record: the image's, untouched", undefined, web, {}],
    ["the image's check: untouched", DEFAULT_HEALTH, web, {}],
    ["the image's test at other timings: Test [] keeps the test", health({ kind: "image" }, { intervalMs: 2000, retries: 4 }), web, { Healthcheck: { Test: [], Interval: 2e9, Retries: 4 } }],
    ["none", health({ kind: "none" }), web, { Healthcheck: { Test: ["NONE"] } }],
    [
      "a command, in nanoseconds",
      health({ kind: "cmd", test: ["CMD", "/http_server", "-health-check"] }, { intervalMs: 1000, timeoutMs: 1.5, startPeriodMs: 90_000 }),
      web,
      { Healthcheck: { Test: ["CMD", "/http_server", "-health-check"], Interval: 1e9, Timeout: 1_500_000, StartPeriod: 90e9 } },
    ],
    [
      "http on the first published port, Docker's defaults spelled out",
      health({ kind: "http", path: "/health", port: null }),
      [...udpOnly, ...web],
      {
        Healthcheck: { Test: ["CMD", probe, "health-http", "8080", "/health", "29750"], Interval: 30e9, Timeout: 30e9, Retries: 3 },
        VolumesFrom: ["sb1:ro"],
      },
    ],
    [
      "http on a named port, with its timings",
      health({ kind: "http", path: "/ready", port: 9090 }, { intervalMs: 1000, timeoutMs: 1000, retries: 2, startPeriodMs: 5000 }),
      web,
      {
        Healthcheck: { Test: ["CMD", probe, "health-http", "9090", "/ready", "800"], Interval: 1e9, Timeout: 1e9, Retries: 2, StartPeriod: 5e9 },
        VolumesFrom: ["sb1:ro"],
      },
    ],
    ["tcp", health({ kind: "tcp", port: null }, { timeoutMs: 2000 }), web, { Healthcheck: { Test: ["CMD", probe, "health-tcp", "8080", "1750"], Interval: 30e9, Timeout: 2e9, Retries: 3 }, VolumesFrom: ["sb1:ro"] }],
  ];
  for (const [situation, h, ports, want] of rows) it(situation, () => expect(healthcheckConfig(h, ports, "sb1")).toEqual(want));

  it("the probe's deadline leaves it time to say why before Docker's timeout", () => {
    expect([100, 1000, 2000, 30_000].map(probeDeadlineMs)).toEqual([80, 800, 1750, 29_750]);
  });
});

describe("describeHealth: one line for --dry-run and history", () => {
  const rows: [HealthSpec | undefined, string][] = [
    [undefined, "the image's"],
    [health({ kind: "none" }), "none"],
    [health({ kind: "cmd", test: ["CMD-SHELL", "curl -f localhost"] }, { retries: 3 }), 'shell "curl -f localhost", retries 3'],
    [health({ kind: "cmd", test: ["CMD", "/http_server", "-health-check"] }), "exec /http_server -health-check"],
    [health({ kind: "http", path: "/health", port: null }, { intervalMs: 1000, timeoutMs: 500, startPeriodMs: 90_000 }), "http GET /health on 8080, interval 1s, timeout 500ms, start period 1m30s"],
    [health({ kind: "tcp", port: 9090 }), "tcp on 9090"],
  ];
  for (const [h, want] of rows) it(want, () => expect(describeHealth(h, web)).toBe(want));
});

describe("isDefaultHealth", () => {
  it("the image's check at its own timings, or none recorded", () => {
    expect([undefined, DEFAULT_HEALTH, health({ kind: "image" }, { retries: 1 }), health({ kind: "none" })].map(isDefaultHealth)).toEqual([true, true, false, false]);
  });
});

describe("healthFromCompose: a service's healthcheck: as docker compose reads it", () => {
  const rows: [string, ComposeHealthcheck | undefined, ComposePodProbe | undefined, HealthSpec, string[]][] = [
    ["absent", undefined, undefined, DEFAULT_HEALTH, []],
    ["test as a string is CMD-SHELL", { test: "curl -f localhost" }, undefined, health({ kind: "cmd", test: ["CMD-SHELL", "curl -f localhost"] }), []],
    [
      "CMD with every timing",
      { test: ["CMD", "/http_server", "-health-check"], interval: "1m30s", timeout: "10s", retries: 3, start_period: "40s" },
      undefined,
      { check: { kind: "cmd", test: ["CMD", "/http_server", "-health-check"] }, intervalMs: 90_000, timeoutMs: 10_000, retries: 3, startPeriodMs: 40_000 },
      [],
    ],
    ["CMD-SHELL", { test: ["CMD-SHELL", "pg_isready"] }, undefined, health({ kind: "cmd", test: ["CMD-SHELL", "pg_isready"] }), []],
    ["NONE", { test: ["NONE"] }, undefined, health({ kind: "none" }), []],
    ["disable", { disable: true, interval: "1s" }, undefined, health({ kind: "none" }), ["interval"]],
    ["disable with test NONE", { disable: true, test: ["NONE"] }, undefined, health({ kind: "none" }), []],
    ["an empty test keeps the image's, at these timings", { test: [], interval: "500ms" }, undefined, health({ kind: "image" }, { intervalMs: 500 }), []],
    ["timings alone", { retries: 5 }, undefined, health({ kind: "image" }, { retries: 5 }), []],
    ["start_interval is noted as ignored", { test: "true", start_interval: "1s" }, undefined, health({ kind: "cmd", test: ["CMD-SHELL", "true"] }), ["start_interval"]],
    ["x-pod's http probe with the healthcheck's timings", { interval: "1s", retries: 2 }, { http: "/health" }, health({ kind: "http", path: "/health", port: null }, { intervalMs: 1000, retries: 2 }), []],
    ["x-pod's tcp probe on a port", undefined, { tcp: true, port: 9090 }, health({ kind: "tcp", port: 9090 }), []],
  ];
  for (const [situation, hc, probe, want, ignored] of rows) {
    it(situation, () => {
      const got = healthFromCompose(hc, probe);
      expect(got.health).toEqual(want);
      expect(got.ignored.map((i) => i.key)).toEqual(ignored);
    });
  }

  const bad: [string, ComposeHealthcheck | undefined, ComposePodProbe | undefined, RegExp][] = [
    ["an unknown test kind", { test: ["RUN", "x"] }, undefined, /^test \["RUN","x"\] is not a check Docker runs$/],
    ["CMD without a program", { test: ["CMD"] }, undefined, /is not a check Docker runs/],
    ["disable with a test", { disable: true, test: "true" }, undefined, /^disable: true and a test cannot be combined$/],
    ["a malformed duration", { interval: "1x" }, undefined, /^interval "1x" is not a duration$/],
    ["a negative duration", { timeout: "-1s" }, undefined, /^timeout -1s cannot be negative$/],
    ["under 1ms", { start_period: "10us" }, undefined, /^start_period 10us is under Docker's minimum of 1ms$/],
    ["retries 0", { retries: 0 }, undefined, /^retries 0: a check must be allowed to fail 1 or more times$/],
    ["x-pod http without /", undefined, { http: "health" }, /^x-pod health: http "health" does not start with \/$/],
    ["x-pod http and tcp", undefined, { http: "/", tcp: true }, /^x-pod health: http and tcp cannot be combined$/],
    ["x-pod probe and a test", { test: "true" }, { tcp: true }, /^x-pod health: tcp and healthcheck test cannot be combined$/],
    ["x-pod probe and disable", { disable: true }, { http: "/" }, /^x-pod health: http and healthcheck disable cannot be combined$/],
    ["x-pod port alone", undefined, { port: 80 }, /^x-pod health: port applies to http and tcp$/],
  ];
  for (const [situation, hc, probe, message] of bad) {
    it(situation, () => {
      expect(() => healthFromCompose(hc, probe)).toThrow(UsageError);
      expect(() => healthFromCompose(hc, probe)).toThrow(message);
    });
  }
});
