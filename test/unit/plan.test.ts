// The planner as a table of situations, like kubelet's computePodActions tests.
import { describe, expect, it } from "vitest";
import { formatPlan, planDown, reconcile, type ReconcileOptions } from "../../src/plan.js";
import type { PodSpec } from "../../src/spec.js";
import { healthy, observed, podSpec, replicaContainer, sandboxContainer } from "./builders.js";
import type { ContainerSummary } from "../../src/engine-types.js";

const v1 = podSpec(3);
const v2 = podSpec(3, { image: "web:v2", imageId: "sha256:bbb" });

interface Row {
  situation: string;
  desired: PodSpec;
  containers: ContainerSummary[];
  options?: ReconcileOptions;
  plan: string[];
  generation?: number;
}

const rows: Row[] = [
  {
    situation: "pod absent: sandbox first, then replicas 1..N together",
    desired: v1,
    containers: [],
    plan: ["1. create sandbox web-sandbox (pod absent)", "2. start replicas web-1, web-2, web-3 (pod absent)"],
    generation: 1,
  },
  {
    situation: "pod absent with zero replicas: only the sandbox",
    desired: podSpec(0),
    containers: [],
    plan: ["1. create sandbox web-sandbox (pod absent)"],
  },
  {
    situation: "pod as asked: nothing to do",
    desired: v1,
    containers: healthy(v1, 3),
    plan: ["nothing to do"],
    generation: 1,
  },
  {
    situation: "sandbox missing: remove what is left, recreate everything",
    desired: v1,
    containers: [replicaContainer(v1, 1), replicaContainer(v1, 2)],
    plan: [
      "1. remove replica web-1 (sandbox missing)",
      "1. remove replica web-2 (sandbox missing)",
      "2. create sandbox web-sandbox (sandbox missing)",
      "3. start replicas web-1, web-2, web-3 (sandbox missing)",
    ],
  },
  {
    situation: "sandbox exited: kill pod and recreate everything",
    desired: v1,
    containers: [sandboxContainer(v1, { state: "exited" }), replicaContainer(v1, 1), replicaContainer(v1, 2), replicaContainer(v1, 3)],
    plan: [
      "1. remove replica web-1 (sandbox exited)",
      "1. remove replica web-2 (sandbox exited)",
      "1. remove replica web-3 (sandbox exited)",
      "2. remove sandbox web-sandbox (sandbox exited)",
      "3. create sandbox web-sandbox (sandbox exited)",
      "4. start replicas web-1, web-2, web-3 (sandbox exited)",
    ],
  },
  {
    situation: "sandbox recreated by hand: replicas in the old namespace are stranded",
    desired: v1,
    containers: [sandboxContainer(v1, { id: "sandbox2" }), ...[1, 2, 3].map((n) => replicaContainer(v1, n, { sandboxId: "sandbox1" }))],
    plan: [
      "1. remove replica web-1 (stranded in an old sandbox's network)",
      "1. remove replica web-2 (stranded in an old sandbox's network)",
      "1. remove replica web-3 (stranded in an old sandbox's network)",
      "2. start replicas web-1, web-2, web-3 (replacing replicas that serve nothing)",
    ],
  },
  {
    situation: "published ports changed: the network is the sandbox's, so everything is recreated, stopping replicas gracefully",
    desired: podSpec(2, {}, [{ hostIp: "", hostPort: 81, containerPort: 8080, protocol: "tcp" }]),
    containers: healthy(podSpec(2), 2),
    plan: [
      "1. stop replica web-1 (network settings changed)",
      "1. stop replica web-2 (network settings changed)",
      "2. remove sandbox web-sandbox (network settings changed)",
      "3. create sandbox web-sandbox (network settings changed)",
      "4. start replicas web-1, web-2 (network settings changed)",
    ],
  },
  {
    situation: "fewer replicas than asked: add the lowest free numbers",
    desired: podSpec(5),
    containers: [sandboxContainer(v1), replicaContainer(v1, 1), replicaContainer(v1, 3)],
    plan: ["1. start replicas web-2, web-4, web-5 (scale up)"],
  },
  {
    situation: "more replicas than asked: stop the highest first, one at a time",
    desired: podSpec(1),
    containers: healthy(v1, 3),
    plan: ["1. stop replica web-3 (scale down)", "2. stop replica web-2 (scale down)"],
  },
  {
    situation: "scale to zero keeps the sandbox, which already records the spec",
    desired: podSpec(0),
    containers: healthy(v1, 2),
    plan: ["1. stop replica web-2 (scale down)", "2. stop replica web-1 (scale down)"],
  },
  {
    situation: "exited replica: remove it and start it again",
    desired: v1,
    containers: [sandboxContainer(v1), replicaContainer(v1, 1), replicaContainer(v1, 2, { state: "exited" }), replicaContainer(v1, 3)],
    plan: ["1. remove replica web-2 (exited)", "2. start replica web-2 (replacing replicas that serve nothing)"],
  },
  {
    situation: "spec changed: replace one at a time, the new one first",
    desired: podSpec(2, { image: "web:v2", imageId: "sha256:bbb" }),
    containers: healthy(podSpec(2), 2),
    plan: [
      "1. rename replica web-1 to web-1-old-r1 (spec changed)",
      "2. start replica web-1 (spec changed)",
      "3. stop replica web-1-old-r1 (replaced)",
      "4. rename replica web-2 to web-2-old-r2 (spec changed)",
      "5. start replica web-2 (spec changed)",
      "6. stop replica web-2-old-r2 (replaced)",
    ],
    generation: 2,
  },
  {
    situation: "spec changed with --parallel 2: two at a time",
    desired: v2,
    containers: healthy(v1, 3),
    options: { parallel: 2 },
    plan: [
      "1. rename replica web-1 to web-1-old-r1 (spec changed)",
      "1. rename replica web-2 to web-2-old-r2 (spec changed)",
      "2. start replicas web-1, web-2 (spec changed)",
      "3. stop replica web-1-old-r1 (replaced)",
      "3. stop replica web-2-old-r2 (replaced)",
      "4. rename replica web-3 to web-3-old-r3 (spec changed)",
      "5. start replica web-3 (spec changed)",
      "6. stop replica web-3-old-r3 (replaced)",
    ],
  },
  {
    situation: "restart: same spec, every replica replaced start-first",
    desired: podSpec(1),
    containers: healthy(podSpec(1), 1),
    options: { restart: true },
    plan: ["1. rename replica web-1 to web-1-old-r1 (restart)", "2. start replica web-1 (restart)", "3. stop replica web-1-old-r1 (replaced)"],
  },
  {
    situation: "scale down and change spec at once: the extras just stop",
    desired: podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }),
    containers: healthy(podSpec(2), 2),
    plan: [
      "1. stop replica web-2 (scale down)",
      "2. rename replica web-1 to web-1-old-r1 (spec changed)",
      "3. start replica web-1 (spec changed)",
      "4. stop replica web-1-old-r1 (replaced)",
    ],
  },
  {
    situation: "interrupted replacement, run again with the new spec: keep the new one, stop the old",
    desired: podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }),
    containers: [
      sandboxContainer(podSpec(1)),
      replicaContainer(podSpec(1), 1, { id: "old1", name: "web-1-old-old1", generation: 1 }),
      replicaContainer(podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }), 1, { id: "new1", generation: 2 }),
    ],
    plan: ["1. wait for replica web-1 to listen (finishing an interrupted replacement)", "2. stop replica web-1-old-old1 (duplicate number)"],
    generation: 2,
  },
  {
    situation: "interrupted replacement, rolled back to the old spec: keep the old one under its own name",
    desired: podSpec(1),
    containers: [
      sandboxContainer(podSpec(1)),
      replicaContainer(podSpec(1), 1, { id: "old1", name: "web-1-old-old1", generation: 1 }),
      replicaContainer(podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }), 1, { id: "new1", generation: 2 }),
    ],
    plan: [
      "1. wait for replica web-1-old-old1 to listen (finishing an interrupted replacement)",
      "2. stop replica web-1 (duplicate number)",
      "3. rename replica web-1-old-old1 to web-1 (back to its own name)",
    ],
  },
  {
    situation: "zero replicas and a new spec: the sandbox must record it, and nothing serves to lose",
    desired: podSpec(0, { image: "web:v2", imageId: "sha256:bbb" }),
    containers: [sandboxContainer(podSpec(0))],
    plan: ["1. remove sandbox web-sandbox (spec changed, no replica to carry it)", "2. create sandbox web-sandbox (spec changed, no replica to carry it)"],
    generation: 2,
  },
];

describe("reconcile", () => {
  for (const row of rows) {
    it(row.situation, () => {
      const plan = reconcile(row.desired, observed(row.containers), row.options);
      expect(formatPlan(plan).split("\n")).toEqual(row.plan);
      if (row.generation !== undefined) expect(plan.generation).toBe(row.generation);
    });
  }

  it("gives the same plan for the same input, whatever order the engine listed containers in", () => {
    const containers = [sandboxContainer(v1), replicaContainer(v1, 3), replicaContainer(v1, 1, { state: "exited" }), replicaContainer(v1, 2)];
    const a = formatPlan(reconcile(podSpec(1), observed(containers)));
    const b = formatPlan(reconcile(podSpec(1), observed([...containers].reverse())));
    expect(a).toBe(b);
  });
});

describe("planDown", () => {
  it("removes replicas before the sandbox", () => {
    expect(formatPlan(planDown(observed(healthy(v1, 2)), 5))).toBe(
      ["1. stop replica web-1 (down)", "1. stop replica web-2 (down)", "2. remove sandbox web-sandbox (down)"].join("\n"),
    );
  });

  it("finishes a half-gone pod: replicas without a sandbox", () => {
    expect(formatPlan(planDown(observed([replicaContainer(v1, 2, { state: "exited" })]), null))).toBe("1. remove replica web-2 (down)");
  });

  it("has nothing to do for an absent pod", () => {
    expect(formatPlan(planDown(observed([]), null))).toBe("nothing to do");
  });
});
