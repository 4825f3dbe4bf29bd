// A pod's status as a table of situations: the record, the containers, the listeners.
import { describe, expect, it } from "vitest";
import type { ContainerInfo } from "../../../src/engine/types.js";
import { podView, type ListenerCounts } from "../../../src/state/status.js";
import { healthy, observed, podSpec, recordOf, records, replica, sandbox } from "../../support/builders.js";

const v1 = podSpec(3);
const v2 = podSpec(3, { image: "web:v2", imageId: "sha256:bbb" });
const rec = records(recordOf(v1));

const rows: { situation: string; containers: ContainerInfo[]; listeners?: ListenerCounts; status: string; reasons: string[]; ready: string }[] = [
  { situation: "every replica runs and listens", containers: healthy(v1, 3), listeners: { "8080/tcp": 3 }, status: "running", reasons: [], ready: "3/3" },
  { situation: "a replica removed by hand is lost, and the count still asks for it", containers: [...rec, sandbox(v1), replica(v1, 1), replica(v1, 2)], status: "degraded", reasons: ["1 lost"], ready: "2/3" },
  {
    situation: "a restarted sandbox strands the replicas that started before it",
    containers: [...rec, sandbox(v1, { startedAt: 9000 }), replica(v1, 1), replica(v1, 2), replica(v1, 3)],
    status: "degraded",
    reasons: ["3 stranded"],
    ready: "0/3",
  },
  { situation: "the sandbox is down", containers: [...rec, sandbox(v1, { state: "exited" }), replica(v1, 1), replica(v1, 2), replica(v1, 3)], status: "stopped", reasons: ["sandbox exited", "3 stranded"], ready: "0/3" },
  { situation: "no sandbox at all", containers: [...rec, replica(v1, 1)], status: "stopped", reasons: ["sandbox missing", "1 orphaned", "2 lost"], ready: "0/3" },
  { situation: "an exited replica", containers: [...rec, sandbox(v1), replica(v1, 1), replica(v1, 2, { state: "exited" }), replica(v1, 3)], status: "degraded", reasons: ["1 exited"], ready: "2/3" },
  { situation: "a replica in a restart loop", containers: [...rec, sandbox(v1), replica(v1, 1), replica(v1, 2, { state: "restarting", restarting: true }), replica(v1, 3)], status: "degraded", reasons: ["1 restarting"], ready: "2/3" },
  { situation: "running, but not listening yet", containers: healthy(v1, 3), listeners: { "8080/tcp": 1 }, status: "degraded", reasons: ["2 not listening"], ready: "1/3" },
  { situation: "a past restart does not make a serving replica unhealthy", containers: [...rec, sandbox(v1), replica(v1, 1, { restartCount: 3, startedAt: 5000 }), replica(v1, 2), replica(v1, 3)], status: "running", reasons: [], ready: "3/3" },
  { situation: "replicas of two specs: a change under way or interrupted", containers: [...rec, sandbox(v1), replica(v2, 1, { generation: 2 }), replica(v1, 2), replica(v1, 3)], status: "updating", reasons: [], ready: "3/3" },
];

describe("podView", () => {
  for (const row of rows) {
    it(row.situation, () => {
      const v = podView(observed(row.containers), row.listeners ?? null);
      expect(v.status).toBe(row.status);
      expect(v.reasons).toEqual(row.reasons);
      expect(`${v.replicas.ready}/${v.replicas.asked}`).toBe(row.ready);
    });
  }

  it("shows each replica's restarts, last exit code and OOM", () => {
    const v = podView(observed([...rec, sandbox(v1), replica(v1, 1, { restartCount: 2 }), replica(v1, 2, { state: "exited" }), replica(v1, 3)]), null);
    expect(v.replicaContainers.map((r) => [r.name, r.condition, r.restarts, r.exitCode, r.oomKilled])).toEqual([
      ["web-1", "running", 2, null, false],
      ["web-2", "exited", 0, 1, false],
      ["web-3", "running", 0, null, false],
    ]);
  });

  it("takes a restarted replica's last exit and OOM from the engine's events", () => {
    const pod = observed([...rec, sandbox(v1), replica(v1, 1, { restartCount: 1 }), replica(v1, 2), replica(v1, 3)]);
    const v = podView(pod, null, new Map([["r1", { exitCode: 137, oom: true }]]));
    expect(v.replicaContainers[0]).toMatchObject({ exitCode: 137, oomKilled: true });
    expect(v.status).toBe("running"); // it came back and serves
  });

  it("lists containers that carry the pod's labels but that pod did not make", () => {
    const v = podView(observed([...healthy(v1, 3), replica(v1, 1, { id: "copy", name: "mine" })]), null);
    expect(v.foreign.map((f) => f.name)).toEqual(["mine"]);
    expect(v.status).toBe("running");
  });
});
