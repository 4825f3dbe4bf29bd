// A pod's status as a pure tally of its containers, like podman's pod status.
import { describe, expect, it } from "vitest";
import { podRow } from "../../src/status.js";
import { healthy, observed, podSpec, replicaContainer, sandboxContainer } from "./builders.js";

const v1 = podSpec(2);
const v2 = podSpec(2, { image: "web:v2", imageId: "sha256:bbb" });

describe("podRow status", () => {
  it.each([
    ["running: every replica serves", healthy(v1, 2), "running", 2, 2],
    ["degraded: a replica exited", [sandboxContainer(v1), replicaContainer(v1, 1), replicaContainer(v1, 2, { state: "exited" })], "degraded", 1, 2],
    ["degraded: a replica stranded in an old namespace", [sandboxContainer(v1, { id: "s2" }), replicaContainer(v1, 1, { sandboxId: "s2" }), replicaContainer(v1, 2)], "degraded", 1, 2],
    ["updating: two generations side by side", [sandboxContainer(v1), replicaContainer(v1, 1), replicaContainer(v2, 2, { generation: 2 })], "updating", 2, 2],
    ["stopped: the sandbox is down", [sandboxContainer(v1, { state: "exited" }), replicaContainer(v1, 1), replicaContainer(v1, 2)], "stopped", 0, 2],
    ["running with zero replicas", [sandboxContainer(podSpec(0))], "running", 0, 0],
  ] as const)("%s", (_, containers, status, running, asked) => {
    const row = podRow(observed([...containers]));
    expect(row.status).toBe(status);
    expect(row.replicas).toEqual({ running, asked });
  });

  it("names the newest spec's image while a change is under way", () => {
    const row = podRow(observed([sandboxContainer(v1), replicaContainer(v1, 1), replicaContainer(v2, 2, { generation: 2 })]));
    expect(row.image).toBe("web:v2");
    expect(row.replicaContainers.map((r) => r.image)).toEqual(["web", "web:v2"]);
  });
});

describe("podRow during a restart", () => {
  it("is updating while an old replica waits beside its successor, even of the same spec", () => {
    const row = podRow(observed([sandboxContainer(v1), replicaContainer(v1, 1, { id: "old", name: "web-1-old-old" }), replicaContainer(v1, 1, { id: "new" })]));
    expect(row.status).toBe("updating");
    expect(row.replicas).toEqual({ running: 1, asked: 1 });
  });
});
