// A compose project as Compose brings it up, with pods for services: the project's networks
// and volumes made first (external ones must exist), then each service through the one
// change flow, dependencies first, each waited for as `depends_on` says; down in reverse,
// then the networks pod made, and the volumes with -v. A service another depends on with
// `service_completed_successfully` is a job: one container run to its end, not a pod.
import type { ComposeProject, ServicePlan } from "../compose/project.js";
import { refuseMissingExternals } from "../compose/project.js";
import { EngineError, NotReadyError, UsageError } from "../errors.js";
import { checksHealth } from "../plan/checks.js";
import type { ChangeRequest } from "../plan/decide.js";
import { retryUntil } from "../clock.js";
import type { PullPolicy } from "../podspec/types.js";
import { runFlow, type FlowOptions, type FlowResult } from "./change.js";
import type { FlowDeps } from "./converge.js";
import { ensureImage } from "./pull.js";

export const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";
/** On a job's container: which project ran it (pod's own mark: it removes only what it ran). */
export const JOB_LABEL = "dev.pod.job-of";

export interface ProjectOptions {
  dryRun: boolean;
  flow: Omit<FlowOptions, "dryRun">;
  /** --pull as given; null: each service's pull_policy. */
  pull: PullPolicy | null;
  recreate: boolean;
  stopTimeoutS: number | null;
  readyTimeoutMs: number;
  cause: string;
  /** Each service's outcome, as it comes: the command reports it. */
  onService: (plan: ServicePlan, result: FlowResult | { kind: "job"; exitCode: number }) => void;
}

/** As Compose: the command's --pull wins over the service's pull_policy; missing by default. */
function pullOf(plan: ServicePlan, o: ProjectOptions): PullPolicy {
  return o.pull ?? plan.pull ?? "missing";
}

/** The services that others wait on to complete: run as jobs, not pods. */
function jobsOf(project: ComposeProject): Set<string> {
  return new Set(project.services.flatMap((s) => s.dependsOn.filter((d) => d.condition === "service_completed_successfully").map((d) => d.service)));
}

function request(plan: ServicePlan, o: ProjectOptions): ChangeRequest {
  return {
    pod: plan.spec.name,
    image: { ref: plan.spec.replica.image, policy: pullOf(plan, o) },
    desired: () => ({ spec: plan.spec, cause: o.cause }),
    recreate: o.recreate,
    mustExist: false,
    stopTimeoutS: o.stopTimeoutS,
    readyTimeoutMs: o.readyTimeoutMs,
  };
}

/** Networks and volumes the project needs: the external ones checked, the others made if missing. Returns the networks it made (or, dry, would make). */
async function prepare(deps: FlowDeps, project: ComposeProject, dryRun: boolean): Promise<string[]> {
  const { engine } = deps;
  const nets = await Promise.all(project.networks.map(async (n) => ((await engine.inspectNetwork(n.name)) ? n.name : null)));
  const vols = await Promise.all(project.volumes.map(async (v) => ((await engine.inspectVolume(v.name)) ? v.name : null)));
  const haveNets = new Set(nets.filter((n): n is string => n !== null));
  const haveVols = new Set(vols.filter((v): v is string => v !== null));
  refuseMissingExternals(project, haveNets, haveVols);
  const missing = project.networks.filter((n) => !n.external && !haveNets.has(n.name));
  for (const n of missing) {
    deps.emit({ type: "note", text: `${dryRun ? "would create" : "creating"} network ${n.name}` });
    if (!dryRun) {
      await engine.createNetwork({ name: n.name, labels: n.labels, ...(n.driver ? { driver: n.driver } : {}), internal: n.internal, options: n.driverOpts });
    }
  }
  for (const v of project.volumes.filter((v) => !v.external && !haveVols.has(v.name))) {
    deps.emit({ type: "note", text: `${dryRun ? "would create" : "creating"} volume ${v.name}` });
    if (!dryRun) await engine.createVolume({ name: v.name, labels: v.labels, ...(v.driver ? { driver: v.driver } : {}) });
  }
  return missing.map((n) => n.name);
}

/**
 * A job: the service's command run once in one container on the project's first network,
 * waited for to its end; a non-zero exit fails the dependents. The previous run's container,
 * if pod ran it, goes first.
 */
async function runJob(deps: FlowDeps, project: ComposeProject, plan: ServicePlan, o: ProjectOptions): Promise<number> {
  const { engine } = deps;
  const spec = plan.spec;
  const name = `${spec.name}-1`;
  const old = await engine.inspectContainer(name);
  if (old && old.labels[JOB_LABEL] !== project.name) {
    throw new UsageError(`a container named ${name} that pod did not make is in the way of the job ${plan.service}`, `pod never touches it: rename or remove it yourself (docker rm ${name})`);
  }
  if (old) await engine.removeContainer(old.id);
  await ensureImage(deps, { ref: spec.replica.image, policy: pullOf(plan, o) });
  const network = plan.networks[0]?.name;
  const id = await engine.createContainer({
    name,
    Image: spec.replica.image,
    ...(spec.replica.entrypoint !== null ? { Entrypoint: spec.replica.entrypoint } : {}),
    ...(spec.replica.command.length > 0 ? { Cmd: spec.replica.command } : {}),
    Env: spec.replica.env,
    Labels: { ...spec.replica.labels, "com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False", [JOB_LABEL]: project.name },
    ...(spec.replica.user !== null ? { User: spec.replica.user } : {}),
    HostConfig: { Binds: spec.replica.volumes, ...(network ? { NetworkMode: network } : {}) },
    ...(network ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [plan.service] } } } } : {}),
  });
  await engine.startContainer(id);
  const ended = await retryUntil({
    fn: async () => engine.inspectContainer(id),
    done: (c) => c === null || !c.running,
    onTimeout: () => new NotReadyError(`the job ${plan.service} (${name}) did not finish within ${Math.round(o.readyTimeoutMs / 1000)}s`, "raise --ready-timeout, or look at `docker logs " + name + "`", []),
    timeoutMs: o.readyTimeoutMs,
    intervalMs: 200,
    clock: deps.clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!ended) throw new EngineError(`the job ${plan.service} (${name}) was removed while it ran`);
  return ended.exitCode;
}

export async function upProject(deps: FlowDeps, project: ComposeProject, o: ProjectOptions): Promise<void> {
  const made = await prepare(deps, project, o.dryRun);
  const jobs = jobsOf(project);
  const done = new Map<string, { healthy: boolean; exitCode: number | null }>();
  for (const plan of project.services) {
    // Dependencies came first; a condition they did not reach stops the project here.
    for (const dep of plan.dependsOn) {
      const reached = done.get(dep.service);
      if (!reached || o.dryRun) continue;
      if (dep.condition === "service_healthy" && !reached.healthy) {
        throw new UsageError(
          `${project.files[0]}: services.${plan.service}.depends_on.${dep.service}: condition service_healthy, but ${dep.service} has no health check`,
          `give ${dep.service} a healthcheck: (or use condition: service_started)`,
        );
      }
      if (dep.condition === "service_completed_successfully" && reached.exitCode !== 0) {
        throw new NotReadyError(`${plan.service} was not started: ${dep.service} exited with ${reached.exitCode}, not 0 (depends_on: service_completed_successfully)`, "`docker logs " + `${project.services.find((s) => s.service === dep.service)?.spec.name}-1` + "` shows why", []);
      }
    }
    if (jobs.has(plan.service)) {
      if (o.dryRun) {
        deps.emit({ type: "note", text: `would run the job ${plan.service} to its end (others wait for it to complete)` });
        continue;
      }
      const exitCode = await runJob(deps, project, plan, o);
      done.set(plan.service, { healthy: false, exitCode });
      o.onService(plan, { kind: "job", exitCode });
      continue;
    }
    const result = await runFlow(deps, request(plan, o), { ...o.flow, dryRun: o.dryRun, ...(o.dryRun ? { wouldMakeNetworks: made } : {}) });
    // The flow returns once the service serves: healthy too when it has a check.
    const healthy = result.decision.desired !== null && checksHealth(result.decision.desired.replica, result.decision.imageHealthchecks);
    done.set(plan.service, { healthy, exitCode: null });
    o.onService(plan, result);
  }
}

export interface ProjectDownOptions {
  dryRun: boolean;
  flow: Omit<FlowOptions, "dryRun">;
  stopTimeoutS: number | null;
  /** -v: the project's named volumes too (never external ones). */
  volumes: boolean;
  /** Only these services (none: the whole project, and then its networks). */
  only: boolean;
  onService: (plan: ServicePlan, result: FlowResult) => void;
}

export async function downProject(deps: FlowDeps, project: ComposeProject, o: ProjectDownOptions): Promise<void> {
  const { engine } = deps;
  const jobs = jobsOf(project);
  for (const plan of [...project.services].reverse()) {
    if (jobs.has(plan.service)) {
      const job = await engine.inspectContainer(`${plan.spec.name}-1`);
      if (job && job.labels[JOB_LABEL] === project.name) {
        deps.emit({ type: "note", text: `${o.dryRun ? "would remove" : "removing"} the job ${plan.service} (${job.name})` });
        if (!o.dryRun) await engine.removeContainer(job.id);
      }
      continue;
    }
    const result = await runFlow(
      deps,
      { pod: plan.spec.name, desired: () => null, recreate: true, mustExist: false, stopTimeoutS: o.stopTimeoutS, readyTimeoutMs: 0 },
      { ...o.flow, dryRun: o.dryRun, lookFirst: true },
    );
    o.onService(plan, result);
  }
  if (o.only) return;
  // The networks and volumes pod made for the project: by Compose's project label, never an external one.
  const external = new Set([...project.networks, ...project.volumes].filter((x) => x.external).map((x) => x.name));
  for (const n of await engine.listNetworks([`${COMPOSE_PROJECT_LABEL}=${project.name}`])) {
    if (external.has(n.name)) continue;
    deps.emit({ type: "note", text: `${o.dryRun ? "would remove" : "removing"} network ${n.name}` });
    if (!o.dryRun) await engine.removeNetwork(n.id);
  }
  if (!o.volumes) return;
  for (const v of await engine.listVolumes([`${COMPOSE_PROJECT_LABEL}=${project.name}`])) {
    if (external.has(v.name)) continue;
    deps.emit({ type: "note", text: `${o.dryRun ? "would remove" : "removing"} volume ${v.name}` });
    if (!o.dryRun) await engine.removeVolume(v.name);
  }
}
