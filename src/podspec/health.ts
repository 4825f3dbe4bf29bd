// A replica's health check: docker run's flags and Compose's `healthcheck:` in, Docker's
// `Healthcheck` out. Pure.
//
// pod's own probes (--health-http, --health-tcp) need nothing in the image: the sandbox image
// carries its program in /.pod, the sandbox gets an anonymous volume there (filled from the
// image, so it works on a remote engine too), and each replica mounts it read-only
// (VolumesFrom) and runs it as its Docker healthcheck. Run inside the replica, the probe
// judges that replica alone although all of them share the port (see fixtures/sandbox).
import { UsageError } from "../errors.js";
import { parseDuration as composeSeconds } from "./units.js";
import { DEFAULT_HEALTH, type HealthSpec, type PortMapping } from "./types.js";

/** The sandbox's anonymous volume that replicas mount read-only: the sandbox's config binds it (Binds: [PROBE_DIR]). */
export const PROBE_DIR = "/.pod";
/** The probe as a replica sees it. */
export const PROBE_PROGRAM = `${PROBE_DIR}/pod-sandbox`;

/** What Docker uses for a timing nobody set (moby's container/health defaults). */
export const DOCKER_HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

type Check = HealthSpec["check"];
type Timings = Omit<HealthSpec, "check">;
const TIMINGS = ["intervalMs", "timeoutMs", "retries", "startPeriodMs"] as const;

// ---------------------------------------------------------------------------- Go durations

const NS = { ns: 1n, us: 1_000n, "µs": 1_000n, "μs": 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n } as const;
const MAX = 1n << 63n;

/**
 * Go's time.ParseDuration, which docker's --health-* flags use: nanoseconds, or why not.
 * Step by step as Go does it, overflow checks and the float64 of fractions included, so what
 * docker takes is taken and what it refuses is refused.
 */
export function parseGoDuration(text: string): { ns: bigint } | { error: string } {
  const invalid = { error: "invalid duration" };
  let s = text;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { ns: 0n };
  if (s === "") return invalid;
  let d = 0n;
  while (s !== "") {
    if (!/^[0-9.]/.test(s)) return invalid;
    // [0-9]*
    let i = 0;
    let v = 0n;
    for (; i < s.length && s[i]! >= "0" && s[i]! <= "9"; i++) {
      if (v > MAX / 10n) return invalid;
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > MAX) return invalid;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)? — past 2^63 Go stops adding precision, not digits
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let overflow = false;
      for (i = 0; i < s.length && s[i]! >= "0" && s[i]! <= "9"; i++) {
        if (overflow) continue;
        if (f > (MAX - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(i) - 48);
        if (y > MAX) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = i > 0;
      s = s.slice(i);
    }
    if (!pre && !post) return invalid;
    const u = /^[^0-9.]*/.exec(s)![0];
    if (u === "") return { error: "missing unit" };
    s = s.slice(u.length);
    const unit = NS[u as keyof typeof NS];
    if (unit === undefined) return { error: `unknown unit "${u}"` };
    if (v > MAX / unit) return invalid;
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX) return invalid;
    }
    d += v;
    if (d > MAX) return invalid;
  }
  if (neg) return { ns: -d };
  if (d > MAX - 1n) return invalid;
  return { ns: d };
}

/** Go's Duration.String() of milliseconds: 1500 → "1.5s", 90000 → "1m30s", 0.5 → "500µs". */
export function formatGoDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return "0s";
  const fraction = (value: bigint, unit: bigint) => {
    const whole = value / unit;
    const rest = (value % unit).toString().padStart(unit.toString().length - 1, "0").replace(/0+$/, "");
    return rest ? `${whole}.${rest}` : `${whole}`;
  };
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${fraction(ns, 1_000n)}µs`;
  if (ns < 1_000_000_000n) return `${fraction(ns, 1_000_000n)}ms`;
  const h = ns / NS.h;
  const m = (ns % NS.h) / NS.m;
  const s = fraction(ns % NS.m, NS.s);
  return `${h > 0n ? `${h}h` : ""}${h > 0n || m > 0n ? `${m}m` : ""}${s}s`;
}

// ---------------------------------------------------------------------------- docker run's flags

/** The health options of `pod up` and `pod set`, as yargs hands them over. */
export interface HealthFlags {
  "health-cmd"?: string;
  "health-interval"?: string;
  "health-timeout"?: string;
  "health-retries"?: string;
  "health-start-period"?: string;
  /** false: --no-healthcheck; true: --healthcheck, the image's own check again. */
  healthcheck?: boolean;
  "health-http"?: string;
  "health-tcp"?: boolean;
  "health-port"?: string;
}

const DURATION_FLAGS = [
  ["health-interval", "intervalMs"],
  ["health-timeout", "timeoutMs"],
  ["health-start-period", "startPeriodMs"],
] as const;

/** Whether any health option is given (for `pod set`, which must name something). */
export function namesHealth(flags: HealthFlags): boolean {
  return (
    flags["health-cmd"] !== undefined ||
    flags["health-http"] !== undefined ||
    flags["health-tcp"] === true ||
    flags.healthcheck !== undefined ||
    flags["health-port"] !== undefined ||
    flags["health-retries"] !== undefined ||
    DURATION_FLAGS.some(([flag]) => flags[flag] !== undefined)
  );
}

/** A --health-* duration in ms; 0 means unset (null), as docker takes it. Docker refuses under 1ms. */
function durationFlag(flag: string, raw: string): number | null {
  const parsed = parseGoDuration(raw);
  if ("error" in parsed) throw new UsageError(`--${flag} "${raw}" is not a duration (${parsed.error})`, "write it as docker does: 500ms, 2s, 1m30s (units ns, us, ms, s, m, h)");
  if (parsed.ns < 0n) throw new UsageError(`--${flag} ${raw} cannot be negative`, "give a duration such as 2s");
  if (parsed.ns === 0n) return null;
  if (parsed.ns < NS.ms) throw new UsageError(`--${flag} ${raw} is under Docker's minimum of 1ms`, "give 1ms or more");
  return Number(parsed.ns) / 1e6;
}

function retriesFlag(raw: string): number {
  if (/^[+-]?\d+$/.test(raw.trim()) && Number(raw) <= 0) {
    throw new UsageError(`--health-retries ${raw}: a check must be allowed to fail 1 or more times`, "give 1 or more (Docker's default is 3)");
  }
  if (!/^\+?\d+$/.test(raw.trim()) || Number(raw) > 2 ** 31 - 1) throw new UsageError(`--health-retries "${raw}" is not a whole number`, "give the failures in a row that make a replica unhealthy, e.g. 3");
  return Number(raw);
}

/** A path that a GET request line can carry as it is. */
function httpPath(raw: string, flag: string): string {
  if (!raw.startsWith("/")) throw new UsageError(`${flag} ${JSON.stringify(raw)} does not start with /`, `give the path the replica answers, e.g. ${flag} /health`);
  if (/[\s\x00-\x1f\x7f]/.test(raw) || raw.length > 2048) throw new UsageError(`${flag} ${JSON.stringify(raw)} has a space or control character`, "percent-encode them (%20), as in a URL");
  return raw;
}

function portFlag(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new UsageError(`--health-port "${raw}" is not a port`, "give the container port the probe connects to, 1..65535");
  return Number(raw);
}

/**
 * --health-cmd as docker takes it: a shell command (CMD-SHELL). A JSON array of strings is
 * the exec form, as podman and a Dockerfile's HEALTHCHECK CMD take it: images without a shell
 * (FROM scratch) can only be checked so.
 */
export function parseHealthCmd(raw: string): string[] {
  if (raw.trim() === "") throw new UsageError("--health-cmd is empty", "give a command, e.g. --health-cmd 'curl -f http://localhost/' or '[\"/app\", \"-check\"]'");
  let list: unknown = null;
  if (raw.trimStart().startsWith("[")) {
    try {
      list = JSON.parse(raw);
    } catch {
      list = null; // `[ -f /ready ]` is a shell test, not JSON
    }
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "string")) return ["CMD-SHELL", raw];
  const args = list as string[];
  if (args[0] === "NONE") throw new UsageError("--health-cmd [\"NONE\"] turns the check off", "write --no-healthcheck");
  if (args[0] === "CMD-SHELL" && args.length !== 2) throw new UsageError("--health-cmd [\"CMD-SHELL\", ...] takes one command string", "write [\"CMD-SHELL\", \"curl -f http://localhost/\"]");
  if (args[0] === "CMD" || args[0] === "CMD-SHELL") {
    if (args.length < 2) throw new UsageError("--health-cmd [\"CMD\"] names no program", "write [\"CMD\", \"/app\", \"-check\"]");
    return args;
  }
  return ["CMD", ...args];
}

/** The port pod's probe connects to: the one named, else the first published TCP port. */
export function probePort(check: Check, ports: PortMapping[]): number | null {
  if (check.kind !== "http" && check.kind !== "tcp") return null;
  return check.port ?? ports.find((p) => p.protocol === "tcp")?.containerPort ?? null;
}

/** The check each given kind option asks for, made only once it is the one given. */
function kindOptions(flags: HealthFlags): [string, () => Check][] {
  const cmd = flags["health-cmd"];
  const http = flags["health-http"];
  const kinds: [string, (() => Check) | false][] = [
    ["--health-cmd", cmd !== undefined && (() => ({ kind: "cmd", test: parseHealthCmd(cmd) }))],
    ["--health-http", http !== undefined && (() => ({ kind: "http", path: httpPath(http, "--health-http"), port: null }))],
    ["--health-tcp", flags["health-tcp"] === true && (() => ({ kind: "tcp", port: null }))],
    ["--no-healthcheck", flags.healthcheck === false && (() => ({ kind: "none" }))],
    ["--healthcheck", flags.healthcheck === true && (() => ({ kind: "image" }))],
  ];
  return kinds.filter((k): k is [string, () => Check] => k[1] !== false);
}

/**
 * The check after the health options: `up` starts from DEFAULT_HEALTH (the image's own),
 * `set` from the recorded one, so only what is named changes. A new check keeps the timings
 * set before, except --no-healthcheck (none) and --healthcheck (the image's own, at its own
 * timings). Bad input is one UsageError line.
 */
export function applyHealthFlags(base: HealthSpec, flags: HealthFlags, ports: PortMapping[]): HealthSpec {
  const kinds = kindOptions(flags);
  if (kinds.length > 1) {
    const [a, b] = [kinds[0]![0], kinds[1]![0]];
    const off = a === "--no-healthcheck" || b === "--no-healthcheck";
    throw new UsageError(
      `${a} and ${b} cannot be combined`,
      off ? "--no-healthcheck turns every check off, the image's too: leave one of them out" : "a replica has one check: give one of --health-cmd, --health-http, --health-tcp",
    );
  }
  const timings: Partial<Timings> = {};
  for (const [flag, key] of DURATION_FLAGS) if (flags[flag] !== undefined) timings[key] = durationFlag(flag, flags[flag]!);
  if (flags["health-retries"] !== undefined) timings.retries = retriesFlag(flags["health-retries"]);
  const given = Object.keys(timings);

  const kindFlag = kinds[0]?.[0] ?? null;
  const newCheck = kinds[0]?.[1]() ?? null;
  let check: Check = newCheck ?? base.check;
  if (check.kind === "none" && given.length > 0) {
    const named = given.map((key) => `--${DURATION_FLAGS.find(([, k]) => k === key)?.[0] ?? "health-retries"}`);
    throw new UsageError(
      kindFlag ? `${named[0]} has no meaning with --no-healthcheck` : `${named[0]} has no meaning: the pod's replicas have no health check`,
      kindFlag ? "leave the timings out, or the --no-healthcheck" : "name a check too: --health-cmd, --health-http or --health-tcp (or --healthcheck for the image's own)",
    );
  }
  if (flags["health-port"] !== undefined) {
    if (check.kind !== "http" && check.kind !== "tcp") throw new UsageError("--health-port applies to --health-http and --health-tcp", "add one of them, or leave --health-port out");
    check = { ...check, port: portFlag(flags["health-port"]) };
  }
  const fresh = newCheck !== null && (newCheck.kind === "none" || newCheck.kind === "image");
  const next: HealthSpec = { ...(fresh ? DEFAULT_HEALTH : base), ...timings, check };
  if ((check.kind === "http" || check.kind === "tcp") && probePort(check, ports) === null) {
    throw new UsageError(`${kindFlag ?? `--health-${check.kind}`} needs a port, and the pod publishes no TCP port`, "publish one with -p, or name the container port with --health-port N");
  }
  return next;
}

/** `up`'s check: the health options alone. */
export function healthFromFlags(flags: HealthFlags, ports: PortMapping[]): HealthSpec {
  return applyHealthFlags(DEFAULT_HEALTH, flags, ports);
}

/** The image's own check at its own timings: what a spec without `health` means. */
export function isDefaultHealth(health: HealthSpec | undefined): boolean {
  return health === undefined || (health.check.kind === "image" && TIMINGS.every((k) => health[k] === null));
}

// ---------------------------------------------------------------------------- Docker's Healthcheck

/** Docker's Healthcheck of a container's create body (durations in nanoseconds). */
export interface HealthConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/** What a replica's config gets for its check: spread into the config and into HostConfig. */
export interface ReplicaHealthConfig {
  Healthcheck?: HealthConfig;
  /** pod's probes only: the sandbox's /.pod, read-only. */
  VolumesFrom?: string[];
}

const nanos = (ms: number) => Math.round(ms * 1e6);

/**
 * The probe's own deadline inside Docker's timeout: long enough to try, short enough that it
 * prints why it failed before Docker kills it ("Health check exceeded timeout").
 */
export function probeDeadlineMs(timeoutMs: number): number {
  return Math.max(1, Math.floor(timeoutMs - Math.min(250, timeoutMs / 5)));
}

/**
 * A replica's Healthcheck (and VolumesFrom for pod's probes), for the replica's create config.
 * - image: nothing, unless timings are set: Test [] keeps the image's test, Docker fills in
 *   the rest from the image (as `docker run --health-interval` alone does);
 * - none: Test ["NONE"];
 * - cmd: the test, with the timings given (Docker fills in the rest from the image);
 * - http, tcp: pod's probe from the sandbox's volume. It replaces the image's check, whose
 *   timings belong to its command, so every unset timing is Docker's default, spelled out
 *   (Docker can only be told a start period of 0 by leaving it out: the image's then applies).
 */
export function healthcheckConfig(health: HealthSpec | undefined, ports: PortMapping[], sandboxId: string): ReplicaHealthConfig {
  const h = health ?? DEFAULT_HEALTH;
  const timings = (t: Timings): Omit<HealthConfig, "Test"> => ({
    ...(t.intervalMs !== null ? { Interval: nanos(t.intervalMs) } : {}),
    ...(t.timeoutMs !== null ? { Timeout: nanos(t.timeoutMs) } : {}),
    ...(t.retries !== null ? { Retries: t.retries } : {}),
    ...(t.startPeriodMs !== null && t.startPeriodMs > 0 ? { StartPeriod: nanos(t.startPeriodMs) } : {}),
  });
  switch (h.check.kind) {
    case "image":
      return isDefaultHealth(h) ? {} : { Healthcheck: { Test: [], ...timings(h) } };
    case "none":
      return { Healthcheck: { Test: ["NONE"] } };
    case "cmd":
      return { Healthcheck: { Test: h.check.test, ...timings(h) } };
    case "http":
    case "tcp": {
      const port = probePort(h.check, ports);
      if (port === null) throw new Error(`health ${h.check.kind}: no port to probe (the spec check lets none through)`);
      const t = effectiveTimings(h);
      const deadline = String(probeDeadlineMs(t.timeoutMs));
      const args = h.check.kind === "http" ? ["health-http", String(port), h.check.path, deadline] : ["health-tcp", String(port), deadline];
      return {
        Healthcheck: { Test: ["CMD", PROBE_PROGRAM, ...args], ...timings(t) },
        VolumesFrom: [`${sandboxId}:ro`],
      };
    }
  }
}

/** pod's probes' timings: the spec's, else Docker's defaults. */
export function effectiveTimings(h: HealthSpec): { intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number } {
  return {
    intervalMs: h.intervalMs ?? DOCKER_HEALTH_DEFAULTS.intervalMs,
    timeoutMs: h.timeoutMs ?? DOCKER_HEALTH_DEFAULTS.timeoutMs,
    retries: h.retries ?? DOCKER_HEALTH_DEFAULTS.retries,
    startPeriodMs: h.startPeriodMs ?? DOCKER_HEALTH_DEFAULTS.startPeriodMs,
  };
}

// ---------------------------------------------------------------------------- words

/** One line for --dry-run, `pod history` and `pod inspect`: "http GET /health on 8080, interval 1s, retries 2". */
export function describeHealth(health: HealthSpec | undefined, ports: PortMapping[]): string {
  const h = health ?? DEFAULT_HEALTH;
  const c = h.check;
  const what =
    c.kind === "image"
      ? "the image's"
      : c.kind === "none"
        ? "none"
        : c.kind === "cmd"
          ? c.test[0] === "CMD-SHELL"
            ? `shell ${JSON.stringify(c.test[1] ?? "")}`
            : `exec ${c.test.slice(1).join(" ")}`
          : c.kind === "http"
            ? `http GET ${c.path} on ${probePort(c, ports) ?? "?"}`
            : `tcp on ${probePort(c, ports) ?? "?"}`;
  const parts = [
    h.intervalMs !== null ? `interval ${formatGoDuration(h.intervalMs)}` : null,
    h.timeoutMs !== null ? `timeout ${formatGoDuration(h.timeoutMs)}` : null,
    h.retries !== null ? `retries ${h.retries}` : null,
    h.startPeriodMs !== null ? `start period ${formatGoDuration(h.startPeriodMs)}` : null,
  ].filter((p): p is string => p !== null);
  return [what, ...parts].join(", ");
}

// ---------------------------------------------------------------------------- Compose

/** A service's `healthcheck:` as the Compose schema admits it (after interpolation). */
export interface ComposeHealthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

/** `x-pod: {health: ...}`: pod's own probes, for which Compose has no key. */
export interface ComposePodProbe {
  http?: string;
  tcp?: boolean;
  port?: number;
}

export interface ComposeHealth {
  health: HealthSpec;
  /** Keys of `healthcheck:` that have no effect, and why: for the loader's warnings. */
  ignored: { key: string; why: string }[];
}

function composeDuration(key: string, raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const seconds = composeSeconds(String(raw));
  if (seconds === null) throw new UsageError(`${key} "${raw}" is not a duration`, "write a duration such as 500ms, 2s or 1m30s");
  if (seconds < 0) throw new UsageError(`${key} ${raw} cannot be negative`, "give a duration such as 2s");
  if (seconds === 0) return null;
  if (seconds < 1e-3) throw new UsageError(`${key} ${raw} is under Docker's minimum of 1ms`, "give 1ms or more");
  return Math.round(seconds * 1e9) / 1e6;
}

/**
 * A service's `healthcheck:` (and x-pod's probe) as a HealthSpec, as docker compose reads it:
 * test as a string is CMD-SHELL, a list starts with NONE, CMD or CMD-SHELL, an empty list
 * keeps the image's test; `disable: true` is NONE. Messages start with the key they are about.
 */
export function healthFromCompose(hc: ComposeHealthcheck | undefined, probe?: ComposePodProbe): ComposeHealth {
  const ignored: ComposeHealth["ignored"] = [];
  const h = hc ?? {};
  let check: Check = { kind: "image" };
  const test = typeof h.test === "string" ? ["CMD-SHELL", h.test] : h.test;
  if (test !== undefined && test.length > 0) {
    const [kind, ...rest] = test;
    if (kind === "NONE") check = { kind: "none" };
    else if ((kind === "CMD" || kind === "CMD-SHELL") && rest.length > 0 && (kind === "CMD" || rest.length === 1)) check = { kind: "cmd", test };
    else throw new UsageError(`test ${JSON.stringify(test)} is not a check Docker runs`, `write a string (a shell command), or a list starting with CMD (["CMD", "/app", "-check"]), CMD-SHELL (with one command) or NONE`);
  }
  if (h.disable === true) {
    if (check.kind === "cmd") throw new UsageError("disable: true and a test cannot be combined", "leave the test out, or the disable");
    check = { kind: "none" };
  }
  if (probe !== undefined && (probe.http !== undefined || probe.tcp === true)) {
    if (probe.http !== undefined && probe.tcp === true) throw new UsageError("x-pod health: http and tcp cannot be combined", "a replica has one check: give one of them");
    if (check.kind !== "image") throw new UsageError(`x-pod health: ${probe.http !== undefined ? "http" : "tcp"} and healthcheck ${check.kind === "none" ? "disable" : "test"} cannot be combined`, "x-pod's probe is the check: leave the healthcheck test out (interval, timeout and retries apply to the probe)");
    const port = probe.port ?? null;
    if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new UsageError(`x-pod health: port ${port} is not a port`, "give the container port the probe connects to, 1..65535");
    check = probe.http !== undefined ? { kind: "http", path: httpPath(String(probe.http), "x-pod health: http"), port } : { kind: "tcp", port };
  } else if (probe?.port !== undefined) {
    throw new UsageError("x-pod health: port applies to http and tcp", "add http: /path or tcp: true, or leave the port out");
  }
  if (h.retries !== undefined && (!Number.isInteger(h.retries) || h.retries <= 0)) {
    throw new UsageError(`retries ${h.retries}: a check must be allowed to fail 1 or more times`, "give 1 or more (Docker's default is 3)");
  }
  const timings: Timings = {
    intervalMs: composeDuration("interval", h.interval),
    timeoutMs: composeDuration("timeout", h.timeout),
    retries: h.retries ?? null,
    startPeriodMs: composeDuration("start_period", h.start_period),
  };
  if (h.start_interval !== undefined) ignored.push({ key: "start_interval", why: "Docker Engine 25 added it, and pod sets what every engine takes: checks run every interval from the start" });
  if (check.kind === "none") {
    for (const key of ["interval", "timeout", "retries", "start_period"] as const) if (h[key] !== undefined) ignored.push({ key, why: "the check is disabled" });
    return { health: { ...DEFAULT_HEALTH, check }, ignored };
  }
  return { health: { check, ...timings }, ignored };
}
