// Options several commands share, spelled once.
import type { Argv } from "yargs";
import { parseSeconds } from "../../podspec/parse.js";

/** Repeatable like Docker's flags: one value each time (an array option would swallow the image). */
export const repeatable = {
  type: "string",
  default: [] as string[],
  coerce: (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String),
} as const;

/** docker run's health options, and pod's own probes, which need nothing in the image (`up`, `set`). */
export function healthOptions<T>(y: Argv<T>) {
  const group = "Health:";
  return y
    .option("health-cmd", { type: "string", describe: "A check command (shell), or a JSON array (exec form)", group })
    .option("health-http", { type: "string", describe: "pod's probe: GET PATH from inside each replica; 2xx/3xx is healthy", group })
    .option("health-tcp", { type: "boolean", describe: "pod's probe: each replica accepts a connection on its port", group })
    .option("health-port", { type: "string", describe: "Container port of --health-http or --health-tcp (default: the first published TCP port)", group })
    .option("health-interval", { type: "string", describe: "Time between checks, e.g. 2s (Docker's default 30s)", group })
    .option("health-timeout", { type: "string", describe: "Longest one check may run (default 30s)", group })
    .option("health-retries", { type: "string", describe: "Failures in a row that make a replica unhealthy (default 3)", group })
    .option("health-start-period", { type: "string", describe: "Time to start up before failures count (default 0s)", group })
    .option("healthcheck", { type: "boolean", describe: "--no-healthcheck: no check, not even the image's HEALTHCHECK", group });
}

/**
 * A number, handed over as typed: pod's own parsers check it and say what is wrong ("3.5 is
 * not a whole number"). yargs's number type would turn 1e3 into 1000 and "x" into NaN, and
 * its string type shows `[string] [default: "1"]` in help; untyped, it shows `[default: 1]`.
 * Given twice, the last one counts, as with docker's flags.
 */
export function numeric(describe: string): { describe: string; coerce: (v: unknown) => string };
export function numeric(describe: string, value: string): { describe: string; coerce: (v: unknown) => string; default: string; defaultDescription: string };
export function numeric(describe: string, value?: string) {
  const coerce = (v: unknown): string => String(Array.isArray(v) ? v.at(-1) : v);
  return value === undefined ? { describe, coerce } : { describe, coerce, default: value, defaultDescription: value };
}

export function changeOptions<T>(y: Argv<T>) {
  return y
    .option("ready-timeout", { ...numeric("Seconds new replicas have to listen", "60"), group: "Change:" })
    .option("timeout", { ...numeric("Seconds to drain before a kill (default: the replica's stop timeout)"), alias: "t", group: "Change:" })
    .option("dry-run", { type: "boolean", default: false, describe: "Show what would change and the plan; touch nothing", group: "Change:" })
    .option("json", { type: "boolean", default: false, describe: "Progress as NDJSON events on stdout, then the result", group: "Change:" });
}

/** At least a second: a replica that listens at once still needs a probe to be seen ready. */
export function readyTimeoutMs(raw: string): number {
  return parseSeconds("--ready-timeout", raw, 3600, 1) * 1000;
}

export function stopTimeout(raw: string | undefined): number | null {
  return raw === undefined ? null : parseSeconds("--timeout", raw);
}

/** The options every changing command shares, as yargs hands them over. */
export interface ChangeFlags {
  timeout?: string;
  "ready-timeout": string;
  "dry-run": boolean;
  json: boolean;
  host?: string;
  context?: string;
}

/** What those options decide about a change, parsed. */
export function changeSettings(args: ChangeFlags) {
  return {
    target: { host: args.host, context: args.context },
    stopTimeoutS: stopTimeout(args.timeout),
    readyTimeoutMs: readyTimeoutMs(args["ready-timeout"]),
    dryRun: args["dry-run"],
  };
}
