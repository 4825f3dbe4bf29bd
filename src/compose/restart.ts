// `restart:` and `deploy.restart_policy:` as the replicas' restart policy, mapped as
// Compose maps them (deploy's wins when both are given).
import type { RestartPolicy } from "../podspec/types.js";
import { isExtension, objAt, scalar, type Diagnostics, type Obj, type Path } from "./context.js";

const CONDITIONS: Record<string, RestartPolicy["name"]> = {
  no: "no",
  none: "no",
  always: "always",
  any: "always",
  "on-failure": "on-failure",
  "unless-stopped": "unless-stopped",
};

export function restartPolicy(d: Diagnostics, at: Path, s: Obj): RestartPolicy | undefined {
  const deploy = objAt(s, "deploy");
  const policy = objAt(deploy, "restart_policy");
  if (deploy["restart_policy"] !== undefined) {
    const path = [...at, "deploy", "restart_policy"];
    for (const key of Object.keys(policy)) {
      if (key !== "condition" && key !== "max_attempts" && !isExtension(key)) d.ignore([...path, key], "the engine restarts a replica at once, with its own backoff");
    }
    if (s["restart"] !== undefined) d.ignore([...at, "restart"], "deploy.restart_policy decides, as in Compose");
    // No condition is Compose's empty policy: the engine's "no".
    const condition = policy["condition"] === undefined ? "none" : scalar(policy["condition"]);
    const name = CONDITIONS[condition];
    if (name === undefined) d.fail([...path, "condition"], `"${condition}" is not a restart condition`, "use none, on-failure or any");
    const max = policy["max_attempts"];
    return name === "on-failure" && max !== undefined && max !== null && Number(max) > 0 ? { name, maxRetries: Number(max) } : { name };
  }
  if (s["restart"] === undefined || s["restart"] === null) return undefined;
  const raw = scalar(s["restart"]);
  const [word, count] = raw.split(":") as [string, string | undefined];
  const name = CONDITIONS[word];
  if (name === undefined || (count !== undefined && (name !== "on-failure" || !/^\d+$/.test(count)))) {
    d.fail([...at, "restart"], `"${raw}" is not a restart policy`, 'use "no", always, on-failure, "on-failure:N" or unless-stopped');
  }
  return count !== undefined && Number(count) > 0 ? { name, maxRetries: Number(count) } : { name };
}
