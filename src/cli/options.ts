// Options several commands share, spelled once.
import type { Argv } from "yargs";
import { parseSeconds } from "../spec/parse.js";

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

export function changeOptions<T>(y: Argv<T>) {
  return y
    .option("ready-timeout", { type: "string", default: "60", describe: "Seconds new replicas have to listen", group: "Change:" })
    .option("timeout", { type: "string", alias: "t", describe: "Seconds to drain before a kill (default: the replica's stop timeout)", group: "Change:" })
    .option("dry-run", { type: "boolean", default: false, describe: "Show what would change and the plan; touch nothing", group: "Change:" })
    .option("json", { type: "boolean", default: false, describe: "Progress as NDJSON events on stdout, then the result", group: "Change:" });
}

export function readyTimeoutMs(raw: string): number {
  return parseSeconds("--ready-timeout", raw) * 1000;
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
