// The planner as a table of situations, like kubelet's computePodActions tests: the
// observed pod, the spec asked for, and the plan as text.
import { describe, expect, it } from "vitest";
import { formatPlan } from "../../../src/plan/actions.js";
import { planDown } from "../../../src/plan/down.js";
import { reconcile, type ReconcileOptions } from "../../../src/plan/reconcile.js";
import type { ContainerInfo } from "../../../src/engine/types.js";
import type { PodSpec } from "../../../src/podspec/types.js";
import { healthy, observed, podSpec, recordOf, records, replica, sandbox } from "../../support/builders.js";

const v1 = podSpec(3);
const v2 = podSpec(3, { image: "web:v2", imageId: "sha256:bbb" });
const healthy_ = { status: "healthy" as const, failingStreak: 0, lastOutput: "ok", lastExitCode: 0 };
const sick_ = { status: "unhealthy" as const, failingStreak: 3, lastOutput: "HTTP 503 from /health", lastExitCode: 1 };
const withProbe: PodSpec = { ...v1, replica: { ...v1.replica, health: { check: { kind: "http", path: "/health", port: null }, intervalMs: 1000, timeoutMs: 1000, retries: 2, startPeriodMs: null } } };
const port81 = [{ hostIp: "", hostPort: 81, containerPort: 8080, protocol: "tcp" as const }];

interface Row {
  situation: string;
  desired: PodSpec;
  containers: ContainerInfo[];
  options?: ReconcileOptions;
  plan: string[];
  outage?: boolean;
}

const rows: Row[] = [
  {
    situation: "pod absent: sandbox first, then replicas 1..N together",
    desired: v1,
    containers: [],
    plan: ["1. create sandbox web-sandbox (pod absent)", "2. start 3 replicas: web-1, web-2, web-3 (pod absent)"],
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
  },
  {
    situation: "a replica restarted by its policy in the past, serving now: healthy, nothing to do",
    desired: v1,
    containers: [...healthy(v1, 2), replica(v1, 3, { restartCount: 4, startedAt: 9000 })],
    plan: ["nothing to do"],
  },
  {
    situation: "sandbox removed: its replicas are orphaned, removed; everything is made again",
    desired: v1,
    containers: [...records(recordOf(v1)), replica(v1, 1), replica(v1, 2), replica(v1, 3)],
    plan: [
      "1. remove 3 replicas: web-1, web-2, web-3 (sandbox missing)",
      "2. create sandbox web-sandbox (sandbox missing)",
      "3. start 3 replicas: web-1, web-2, web-3 (sandbox missing)",
    ],
  },
  {
    situation: "sandbox exited: start it again, and bring every replica into its new namespace",
    desired: v1,
    containers: [...records(recordOf(v1)), sandbox(v1, { state: "exited" }), replica(v1, 1), replica(v1, 2, { state: "exited" }), replica(v1, 3)],
    plan: ["1. start sandbox web-sandbox (sandbox exited)", "2. restart 3 replicas: web-1, web-2, web-3 (stranded in a dead network namespace)"],
  },
  {
    situation: "sandbox restarted (same id, new namespace): replicas started before it are stranded and restarted",
    desired: v1,
    containers: [...records(recordOf(v1)), sandbox(v1, { startedAt: 5000 }), replica(v1, 1), replica(v1, 2), replica(v1, 3, { startedAt: 6000 })],
    plan: ["1. restart 2 replicas: web-1, web-2 (stranded in a dead network namespace)"],
  },
  {
    situation: "engine restarted: sandbox exited, replicas gave up joining it",
    desired: v1,
    containers: [...records(recordOf(v1)), sandbox(v1, { state: "exited" }), ...[1, 2, 3].map((n) => replica(v1, n, { state: "exited" }))],
    plan: ["1. start sandbox web-sandbox (sandbox exited)", "2. restart 3 replicas: web-1, web-2, web-3 (exited)"],
  },
  {
    situation: "sandbox recreated by hand: replicas joined the old one and are orphaned",
    desired: v1,
    containers: [...records(recordOf(v1)), sandbox(v1, { id: "sandbox2" }), ...[1, 2, 3].map((n) => replica(v1, n, { sandboxId: "sandbox1" }))],
    plan: ["1. remove 3 replicas: web-1, web-2, web-3 (orphaned)", "2. start 3 replicas: web-1, web-2, web-3 (replacing lost replicas)"],
  },
  {
    situation: "a replica lost (removed by hand): the record still asks for it",
    desired: v1,
    containers: [...records(recordOf(v1)), sandbox(v1), replica(v1, 1), replica(v1, 2)],
    plan: ["1. start replica web-3 (replacing lost replicas)"],
  },
  {
    situation: "published ports changed: the network is the sandbox's, so everything is recreated (an outage)",
    desired: podSpec(2, {}, port81),
    containers: healthy(podSpec(2), 2),
    plan: [
      "1. stop 2 replicas: web-1, web-2 (network settings changed)",
      "2. remove sandbox web-sandbox (network settings changed)  [outage]",
      "3. create sandbox web-sandbox (network settings changed)  [outage]",
      "4. start 2 replicas: web-1, web-2 (network settings changed)",
    ],
    outage: true,
  },
  {
    situation: "fewer replicas than asked: add the lowest free numbers",
    desired: podSpec(5),
    containers: [...records(recordOf(podSpec(2))), sandbox(v1), replica(v1, 1), replica(v1, 3)],
    plan: ["1. start 3 replicas: web-2, web-4, web-5 (replacing lost replicas, scale up)"],
  },
  {
    situation: "more replicas than asked: stop the highest first, one at a time",
    desired: podSpec(1),
    containers: healthy(v1, 3),
    plan: ["1-2. stop 2 replicas, one at a time: web-3, web-2 (scale down)"],
  },
  {
    situation: "scale to zero keeps the sandbox: no new sandbox, no outage",
    desired: podSpec(0, { image: "web:v2", imageId: "sha256:bbb" }),
    containers: healthy(v1, 2),
    plan: ["1-2. stop 2 replicas, one at a time: web-2, web-1 (scale down)"],
  },
  {
    situation: "exited replica of the current spec: start it again",
    desired: v1,
    containers: [...records(recordOf(v1)), sandbox(v1), replica(v1, 1), replica(v1, 2, { state: "exited" }), replica(v1, 3)],
    plan: ["1. restart replica web-2 (exited)"],
  },
  {
    situation: "exited replica of an old spec: replaced by a new one",
    desired: v2,
    containers: [...records(recordOf(v1)), sandbox(v1), replica(v2, 1), replica(v1, 2, { state: "exited" }), replica(v2, 3)],
    plan: ["1. remove replica web-2 (exited)", "2. start replica web-2 (replacing lost replicas)"],
  },
  {
    situation: "spec changed: replace one at a time, the new one first; the old one is kept for its logs",
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
  },
  {
    situation: "spec changed, two at a time",
    desired: { ...v2, update: { parallel: 2, order: "start-first" } },
    containers: healthy(v1, 3),
    plan: [
      "1. rename 2 replicas: web-1, web-2 (spec changed)",
      "2. start 2 replicas: web-1, web-2 (spec changed)",
      "3. stop 2 replicas: web-1-old-r1, web-2-old-r2 (replaced)",
      "4. rename replica web-3 to web-3-old-r3 (spec changed)",
      "5. start replica web-3 (spec changed)",
      "6. stop replica web-3-old-r3 (replaced)",
    ],
  },
  {
    situation: "spec changed, stop-first (Compose's other order)",
    desired: { ...podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }), update: { parallel: 1, order: "stop-first" } },
    containers: healthy(podSpec(1), 1),
    plan: ["1. stop replica web-1 (spec changed)", "2. start replica web-1 (spec changed)"],
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
      ...records(recordOf(podSpec(1))),
      sandbox(podSpec(1)),
      replica(podSpec(1), 1, { id: "old1", name: "web-1-old-old1" }),
      replica(podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }), 1, { id: "new1", generation: 2 }),
    ],
    plan: ["1. wait for replica web-1 to listen (finishing an interrupted replacement)", "2. stop replica web-1-old-old1 (duplicate number)"],
  },
  {
    situation: "interrupted replacement, rolled back to the old spec: keep the old one under its own name",
    desired: podSpec(1),
    containers: [
      ...records(recordOf(podSpec(1))),
      sandbox(podSpec(1)),
      replica(podSpec(1), 1, { id: "old1", name: "web-1-old-old1" }),
      replica(podSpec(1, { image: "web:v2", imageId: "sha256:bbb" }), 1, { id: "new1", generation: 2 }),
    ],
    plan: [
      "1. wait for replica web-1-old-old1 to listen (finishing an interrupted replacement)",
      "2. stop replica web-1 (duplicate number)",
      "3. rename replica web-1-old-old1 to web-1 (back to its own name)",
    ],
  },
  {
    situation: "a container that copies a replica's labels (docker commit + run) is not the pod's: ignored",
    desired: v1,
    containers: [...healthy(v1, 3), replica(v1, 2, { id: "copy", name: "mine" })],
    plan: ["nothing to do"],
  },
];

describe("reconcile", () => {
  for (const row of rows) {
    it(row.situation, () => {
      const plan = reconcile(row.desired, observed(row.containers), 2, row.options);
      expect(formatPlan(plan).split("\n")).toEqual(row.plan);
      expect(plan.outage !== null).toBe(row.outage ?? false);
    });
  }

  it("gives the same plan for the same input, whatever order the engine listed containers in", () => {
    const containers = [...records(recordOf(v1)), sandbox(v1), replica(v1, 3), replica(v1, 1, { state: "exited" }), replica(v1, 2)];
    const a = formatPlan(reconcile(podSpec(1), observed(containers), 1));
    const b = formatPlan(reconcile(podSpec(1), observed([...containers].reverse()), 1));
    expect(a).toBe(b);
  });

  it("folds a hundred replicas into one line", () => {
    const plan = reconcile(podSpec(100), observed(healthy(podSpec(1), 1)), 1);
    expect(formatPlan(plan)).toBe("1. start 99 replicas: web-2 … web-100 (scale up)");
  });
});

describe("planDown", () => {
  it("removes replicas before the sandbox", () => {
    expect(formatPlan(planDown(observed(healthy(v1, 2)), 5))).toBe(["1. stop 2 replicas: web-1, web-2 (down)", "2. remove sandbox web-sandbox (down)"].join("\n"));
  });

  it("finishes a half-gone pod: replicas without a sandbox", () => {
    expect(formatPlan(planDown(observed([...records(recordOf(v1)), replica(v1, 2, { state: "exited" })]), null))).toBe("1. remove replica web-2 (down)");
  });

  it("never touches a container the pod did not make", () => {
    expect(formatPlan(planDown(observed([replica(v1, 1, { id: "copy", name: "mine" })]), null))).toBe("nothing to do");
  });

  it("has nothing to do for an absent pod", () => {
    expect(formatPlan(planDown(observed([]), null))).toBe("nothing to do");
  });
});
