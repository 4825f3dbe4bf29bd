// The I/O half of observing: one labelled listing, then each container described, in
// parallel. Everything after is pure (state/observe.ts).
import type { Engine } from "../engine/engine.js";
import type { ContainerInfo, ContainerSummary } from "../engine/types.js";
import { Label } from "../state/labels.js";
import { observeAll, observePod, type ObservedPod } from "../state/observe.js";
import { supportsMigrateReq, type EngineFacts } from "./render.js";

/** A never-started record or lock, as the listing already describes it: no inspect needed. */
function fromListing(c: ContainerSummary): ContainerInfo {
  return {
    id: c.id,
    name: c.name,
    image: "",
    imageId: "",
    created: c.created,
    labels: c.labels,
    state: c.state,
    running: c.state === "running",
    restarting: c.state === "restarting",
    exitCode: 0,
    oomKilled: false,
    error: "",
    startedAt: 0,
    finishedAt: 0,
    restartCount: 0,
    restartPolicy: "",
    pid: 0,
    networkMode: "none",
    ports: [],
    networks: [],
    env: [],
    health: null,
  };
}

async function describe(engine: Engine, labelFilters: string[]): Promise<ContainerInfo[]> {
  const listed = await engine.listContainers(labelFilters);
  const described = await Promise.all(
    listed.map((c) => {
      const role = c.labels[Label.role];
      return (role === "record" || role === "lock") && c.state === "created" ? fromListing(c) : engine.inspectContainer(c.id);
    }),
  );
  // A container removed between the two calls is simply gone.
  return described.filter((c): c is ContainerInfo => c !== null);
}

export async function observe(engine: Engine, pod: string): Promise<ObservedPod> {
  return observePod(pod, await describe(engine, [`${Label.pod}=${pod}`]));
}

export async function observeEvery(engine: Engine): Promise<ObservedPod[]> {
  return observeAll(await describe(engine, [Label.pod]));
}

export async function engineFacts(engine: Engine): Promise<EngineFacts & { kernelVersion: string }> {
  const { kernelVersion } = await engine.info();
  return { kernelVersion, migrateReq: supportsMigrateReq(kernelVersion) };
}
