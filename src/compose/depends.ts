// Which services a command works on, and in which order: profiles decide which services
// are enabled, as Compose decides; services named on the command line are enabled with
// their profiles, and bring what they depend on; `depends_on` orders them, every
// dependency before its dependents (down runs the order backwards).
import { isObj, scalar, type Diagnostics, type Obj, type Path } from "./context.js";
import type { Json } from "./interpolate.js";

export type Condition = "service_started" | "service_healthy" | "service_completed_successfully";

export interface Dependency {
  service: string;
  /** What the dependency must reach before its dependent starts. */
  condition: Condition;
  /** false: a dependency on a service not enabled (or not in the file) is dropped, not refused. */
  required: boolean;
  /** Compose restarts the dependent when this dependency is restarted. */
  restart: boolean;
}

const CONDITIONS: Condition[] = ["service_started", "service_healthy", "service_completed_successfully"];

/** `depends_on:` in either form, in the file's order. */
export function dependsOn(d: Diagnostics, at: Path, raw: Json | undefined): Dependency[] {
  if (raw === undefined || raw === null) return [];
  const path = [...at, "depends_on"];
  if (Array.isArray(raw)) return raw.map((item) => ({ service: scalar(item), condition: "service_started", required: true, restart: false }));
  if (!isObj(raw)) return [];
  return Object.entries(raw).map(([service, value]) => {
    const o: Obj = isObj(value) ? value : {};
    const condition = o["condition"] === undefined ? "service_started" : scalar(o["condition"]);
    if (!CONDITIONS.includes(condition as Condition)) d.fail([...path, service, "condition"], `"${condition}" is not a condition`, `use one of: ${CONDITIONS.join(", ")}`);
    return { service, condition: condition as Condition, required: o["required"] !== false, restart: o["restart"] === true };
  });
}

export interface SelectionInput {
  /** Services named on the command line, in that order; empty: every enabled service. */
  named: string[];
  /** Active profiles (--profile, else COMPOSE_PROFILES); "*" enables all. */
  profiles: string[];
  /** Whether named services bring their dependencies (up does, down does not). */
  withDependencies: boolean;
}

export interface Selection {
  /** The services to work on, dependencies first, ties in the order named, then the file's. */
  order: string[];
  /** Each selected service's dependencies among the selection. */
  dependsOn: Map<string, Dependency[]>;
}

const profilesOf = (s: Obj): string[] => (Array.isArray(s["profiles"]) ? s["profiles"].map(scalar) : []);

export function selectServices(d: Diagnostics, services: Record<string, Obj>, o: SelectionInput): Selection {
  const all = Object.keys(services);
  for (const name of o.named) {
    if (!(name in services)) d.failFile(`has no service "${name}"`, `services in this file: ${all.join(", ")}`);
  }
  // As compose-go's WithServicesEnabled: naming a service activates its profiles.
  const active = new Set([...o.profiles, ...o.named.flatMap((n) => profilesOf(services[n]!))]);
  const enabled = (name: string) => {
    const profiles = profilesOf(services[name]!);
    return profiles.length === 0 || active.has("*") || profiles.some((p) => active.has(p));
  };

  const deps = new Map<string, Dependency[]>();
  for (const name of all.filter(enabled)) {
    const kept: Dependency[] = [];
    for (const dep of dependsOn(d, ["services", name], services[name]!["depends_on"])) {
      const at: Path = ["services", name, "depends_on", dep.service];
      if (!(dep.service in services)) {
        if (dep.required) d.fail(at, `"${dep.service}" is no service of this file`, `services in this file: ${all.join(", ")}; or mark it required: false`);
        d.warn(at, `skipped: no such service, and the dependency is not required`);
      } else if (!enabled(dep.service)) {
        const profiles = profilesOf(services[dep.service]!).join(", ");
        if (dep.required) d.fail(at, `"${dep.service}" runs only in profiles ${profiles}, none of them active`, `pass --profile ${profilesOf(services[dep.service]!)[0]} (or set COMPOSE_PROFILES), name ${dep.service} too, or mark the dependency required: false`);
        d.warn(at, `skipped: ${dep.service} runs only in profiles ${profiles}, and the dependency is not required`);
      } else {
        kept.push(dep);
      }
    }
    deps.set(name, kept);
  }
  refuseCycles(d, all.filter(enabled), deps);

  for (const name of all.filter((n) => !enabled(n) && o.named.length === 0)) {
    const profiles = profilesOf(services[name]!);
    d.warn(["services", name], `skipped: it runs in profiles ${profiles.join(", ")} only; name it, or pass --profile ${profiles[0]}`);
  }
  const wanted = o.named.length > 0 ? [...new Set(o.named)] : all.filter(enabled);
  if (wanted.length === 0) d.failFile("every service belongs to a profile", `name the services to load, or pass --profile: ${all.join(", ")}`);
  const chosen = new Set(wanted);
  if (o.withDependencies) {
    for (let i = 0, queue = [...wanted]; i < queue.length; i++) {
      for (const dep of deps.get(queue[i]!) ?? []) {
        if (!chosen.has(dep.service)) {
          chosen.add(dep.service);
          queue.push(dep.service);
        }
      }
    }
  }
  const first = new Set(wanted);
  const rank = [...wanted, ...all.filter((n) => chosen.has(n) && !first.has(n))];
  const within = new Map(rank.map((n) => [n, (deps.get(n) ?? []).filter((dep) => chosen.has(dep.service))]));
  return { order: topological(rank, within), dependsOn: within };
}

/**
 * Stable: services in rank order, each after its dependencies (they too in rank order), so
 * a named service and what it needs stay together. Depth-first with a stack of its own.
 */
function topological(rank: string[], deps: Map<string, Dependency[]>): string[] {
  const index = new Map(rank.map((n, i) => [n, i]));
  const byRank = (n: string) => (deps.get(n) ?? []).map((dep) => dep.service).sort((a, b) => index.get(a)! - index.get(b)!);
  const placed = new Set<string>();
  const order: string[] = [];
  for (const root of rank) {
    const stack: [string, string[]][] = [[root, byRank(root)]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top[1].shift();
      if (next === undefined) {
        stack.pop();
        if (!placed.has(top[0])) {
          placed.add(top[0]);
          order.push(top[0]);
        }
      } else if (!placed.has(next)) {
        stack.push([next, byRank(next)]);
      }
    }
  }
  return order;
}

/**
 * compose-go's checkCycle: the first cycle found, walking services in the file's order.
 * Depth-first with a stack of its own: a hostile file's chain of services needs no call stack.
 */
function refuseCycles(d: Diagnostics, services: string[], deps: Map<string, Dependency[]>): void {
  const state = new Map<string, "open" | "done">();
  for (const root of services) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, "open");
    while (path.length > 0) {
      const here = path.at(-1)!;
      const list = deps.get(here) ?? [];
      const i = next[next.length - 1]!;
      if (i >= list.length) {
        state.set(here, "done");
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const dep = list[i]!.service;
      if (state.get(dep) === "open") {
        const cycle = [...path.slice(path.indexOf(dep)), dep];
        d.fail(["services", here, "depends_on", dep], `a dependency cycle: ${cycle.join(" -> ")}`, "services must start one after another: remove one of these dependencies");
      }
      if (!state.has(dep)) {
        state.set(dep, "open");
        path.push(dep);
        next.push(0);
      }
    }
  }
}
