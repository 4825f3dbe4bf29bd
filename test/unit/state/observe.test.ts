// Which containers are the pod's own, and what its record says, from one snapshot.
import { describe, expect, it } from "vitest";
import { Label } from "../../../src/state/labels.js";
import { healthy, legacyRecords, observed, podSpec, recordOf, records, replica, sandbox } from "../../support/builders.js";

const v1 = podSpec(3);

describe("ownership", () => {
  it("takes the pod's own containers, signed with its key", () => {
    const pod = observed(healthy(v1, 3));
    expect(pod.replicas.map((r) => r.name)).toEqual(["web-1", "web-2", "web-3"]);
    expect(pod.sandbox?.name).toBe("web-sandbox");
    expect(pod.foreign).toEqual([]);
  });

  it("ignores a copy run from a committed image: every label, another name", () => {
    const pod = observed([...healthy(v1, 3), replica(v1, 1, { id: "copy", name: "mine" })]);
    expect(pod.replicas.map((r) => r.id)).toEqual(["r1", "r2", "r3"]);
    expect(pod.foreign).toEqual([{ id: "copy", name: "mine", why: expect.stringContaining("a copy") }]);
  });

  it("ignores a user's container that carries pod labels by hand", () => {
    const forged = { ...replica(v1, 4, { id: "forged" }) };
    forged.labels = { [Label.pod]: "web", [Label.role]: "replica", [Label.replica]: "4" };
    const pod = observed([...healthy(v1, 3), forged]);
    expect(pod.replicas).toHaveLength(3);
    expect(pod.foreign.map((f) => f.id)).toEqual(["forged"]);
  });

  it("ignores a forged proof under another key while the pod's own containers outnumber it", () => {
    const forged = replica(v1, 2, { id: "forged", name: "web-9" });
    forged.labels = { ...forged.labels, [Label.key]: "f".repeat(32), [Label.createdAs]: "web-9" };
    const pod = observed([...healthy(v1, 3), forged]);
    expect(pod.foreign.map((f) => f.id)).toEqual(["forged"]);
  });

  it("keeps replicas set aside under their -old- name, and the previous ones apart", () => {
    const pod = observed([...healthy(v1, 2), replica(v1, 1, { id: "abcdef0123456789", name: "web-1-old-abcdef012345" }), replica(v1, 2, { id: "0123456789abcdef", name: "web-2-prev-0123456789ab", state: "exited" })]);
    expect(pod.replicas.map((r) => r.name)).toEqual(["web-1", "web-1-old-abcdef012345", "web-2"]);
    expect(pod.previous.map((r) => r.name)).toEqual(["web-2-prev-0123456789ab"]);
  });
});

describe("the record", () => {
  it("reads the newest revision and lists every copy", () => {
    const old = recordOf(v1, { revision: 1 });
    const next = { ...recordOf(podSpec(5), { revision: 2 }), generation: 2 };
    const pod = observed([...records(old), ...records(next), sandbox(v1)]);
    expect(pod.record?.revision).toBe(2);
    expect(pod.record?.spec.replicas).toBe(5);
    expect(pod.recordCopies.map((c) => [c.revision, c.kind])).toEqual([
      [1, "image"],
      [2, "image"],
    ]);
  });

  it("survives the loss of one copy", () => {
    const [one] = records(recordOf(v1));
    expect(observed([one!, sandbox(v1)]).record?.spec.replicas).toBe(3);
  });

  it("survives the loss of the sandbox: the record still asks for three", () => {
    const pod = observed([...records(recordOf(v1)), replica(v1, 1)]);
    expect(pod.record?.spec.replicas).toBe(3);
    expect(pod.recovered).toBe(false);
  });

  it("is rebuilt from the containers when every copy is lost", () => {
    const pod = observed([sandbox(v1), replica(v1, 1), replica(v1, 2)]);
    expect(pod.recovered).toBe(true);
    expect(pod.record?.spec.replicas).toBe(2);
    expect(pod.record?.spec.network.ports).toEqual(v1.network.ports);
  });

  it("reads an older pod's record containers, as copies to move into an image", () => {
    const pod = observed([...legacyRecords(recordOf(v1, { revision: 4 })), sandbox(v1)]);
    expect(pod.record?.revision).toBe(4);
    expect(pod.recordCopies.map((c) => c.kind)).toEqual(["container", "container"]);
  });

  it("never reads a record container that was started: records are never started", () => {
    const [a] = legacyRecords(recordOf(v1));
    const started = { ...a!, state: "running", running: true };
    const pod = observed([started, sandbox(v1)]);
    expect(pod.foreign.map((f) => f.name)).toEqual([started.name]);
  });
});
