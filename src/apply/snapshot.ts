// The I/O half of observing: one labelled listing, then each container described, in
// parallel. Everything after is pure (state/observe.ts).
import type { Engine } from "../engine/engine.js";
import type { ContainerInfo } from "../engine/types.js";
import { Label } from "../state/labels.js";
import { observeAll, observePod, type ObservedPod } from "../state/observe.js";
import { supportsMigrateReq, type EngineFacts } from "./render.js";

async function describe(engine: Engine, labelFilters: string[]): Promise<ContainerInfo[]> {
  const listed = await engine.listContainers(labelFilters);
  const described = await Promise.all(listed.map((c) => engine.inspectContainer(c.id)));
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
