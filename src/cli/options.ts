// Options several commands share, spelled once.
import type { Argv } from "yargs";
import { parseSeconds } from "../spec/parse.js";

/** Repeatable like Docker's flags: one value each time (an array option would swallow the image). */
export const repeatable = {
  type: "string",
  default: [] as string[],
  coerce: (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String),
} as const;

export function changeOptions<T>(y: Argv<T>) {
  return y
    .option("ready-timeout", { type: "string", default: "60", describe: "Seconds new replicas have to listen", group: "Change:" })
    .option("timeout", { type: "string", alias: "t", describe: "Seconds to drain before a kill (default: the replica's stop timeout)", group: "Change:" })
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
