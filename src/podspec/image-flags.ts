// The flags about where images come from: `--pull` as `docker run --pull` spells it, and
// `--auto-update [--auto-update-interval S]`, which opts a pod in to following its tag. Pure.
import { UsageError } from "../errors.js";
import type { AutoUpdate, PullPolicy } from "./types.js";

/** The agent's default pace: a few minutes, as watchtower's users tune theirs. */
export const DEFAULT_AUTO_UPDATE_S = 300;
/** Asking a registry more often than this only loads it. */
const MIN_AUTO_UPDATE_S = 10;

export function parsePullPolicy(raw: string | undefined): PullPolicy {
  const value = raw ?? "missing";
  if (value === "missing" || value === "always" || value === "never") return value;
  throw new UsageError(`--pull "${value}" is not a pull policy`, "use missing (the default: pull when the engine lacks it), always (when the registry has a newer one) or never");
}

export function parseAutoUpdate(on: boolean | undefined, interval: string | undefined): AutoUpdate | null {
  if (interval !== undefined && on === false) throw new UsageError("--auto-update-interval applies to a pod that auto-updates", "add --auto-update, or leave the interval out");
  if (!on && interval === undefined) return null;
  const seconds = interval === undefined ? DEFAULT_AUTO_UPDATE_S : Number(interval);
  if (!/^\d+$/.test(interval ?? "0") || !Number.isInteger(seconds) || seconds < MIN_AUTO_UPDATE_S || seconds > 7 * 86400) {
    throw new UsageError(`--auto-update-interval ${interval} is not a number of seconds from ${MIN_AUTO_UPDATE_S} to a week`, `e.g. --auto-update-interval ${DEFAULT_AUTO_UPDATE_S}`);
  }
  return { intervalS: seconds };
}
