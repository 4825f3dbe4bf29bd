// The Kubernetes export: valid against the API schemas (kubernetes-models validates with the
// JSON schemas generated from Kubernetes' OpenAPI spec), and faithful to the pod, row by row.
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { cpuQuantity, kubernetesExport, kubernetesName, memoryQuantity, toKubernetes } from "../../../src/export/kubernetes.js";
import type { PodSpec } from "../../../src/podspec/types.js";
import { FULL, podSpec } from "../../fixtures-compose/specs.js";

type Obj = Record<string, any>;

/** The objects, each validated; YAML 1.1 as kubectl reads it, and 1.2, must agree. */
function objects(text: string): Obj[] {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Obj);
  const asKubectl = parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS() as Obj);
  expect(asKubectl).toEqual(docs);
  for (const doc of docs) {
    if (doc["kind"] === "Deployment") new Deployment(doc).validate();
    else if (doc["kind"] === "Service") new Service(doc).validate();
    else throw new Error(`unexpected kind ${doc["kind"]}`);
    // The API server checks names; the schemas do not.
    expect(doc["metadata"]["name"]).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  }
  return docs;
}

const deployment = (spec: PodSpec, o = {}) => objects(toKubernetes(spec, o))[0]!;
const container = (spec: PodSpec, o = {}) => deployment(spec, o)["spec"]["template"]["spec"]["containers"][0] as Obj;
const service = (spec: PodSpec) => objects(toKubernetes(spec))[1];
const tcp = (hostPort: number | null, containerPort: number, hostIp = "") => ({ hostIp, hostPort, containerPort, protocol: "tcp" as const });

describe("toKubernetes: valid objects for varied pods", () => {
  const rows: [string, PodSpec][] = [
    ["the plainest pod", podSpec()],
    ["every field", FULL],
    ["no replicas", podSpec({ replicas: 0 })],
    ["udp only", podSpec({ network: { ports: [{ hostIp: "", hostPort: 53, containerPort: 53, protocol: "udp" }] } })],
    ["a cleared entrypoint", podSpec({ replica: { entrypoint: [""], command: ["/srv"] } })],
    ["a name Kubernetes refuses", podSpec({ name: "9_Lives.APP" })],
    ["the host's network", podSpec({ network: { balance: "host", ports: [tcp(null, 8080)] } })],
  ];
  for (const [name, spec] of rows) it(name, () => expect(objects(toKubernetes(spec)).length).toBeGreaterThan(0));
});

describe("toKubernetes: the Deployment", () => {
  it("runs the replicas, selected by the app name, updated start-first", () => {
    const d = deployment(podSpec({ replicas: 4, update: { parallel: 2 } }));
    expect(d["metadata"]).toEqual({ name: "web", labels: { "app.kubernetes.io/name": "web" } });
    expect(d["spec"]["replicas"]).toBe(4);
    expect(d["spec"]["selector"]).toEqual({ matchLabels: { "app.kubernetes.io/name": "web" } });
    expect(d["spec"]["template"]["metadata"]["labels"]).toEqual({ "app.kubernetes.io/name": "web" });
    expect(d["spec"]["strategy"]).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } });
  });

  it("stop-first frees room first", () => {
    expect(deployment(podSpec({ update: { parallel: 3, order: "stop-first" } }))["spec"]["strategy"]["rollingUpdate"]).toEqual({ maxUnavailable: 3, maxSurge: 0 });
  });

  const grace: [string, PodSpec, object, number][] = [
    ["docker's default", podSpec(), {}, 10],
    ["the spec's", podSpec({ replica: { stopTimeoutS: 45 } }), {}, 45],
    ["the caller's over the spec's", podSpec({ replica: { stopTimeoutS: 45 } }), { stopTimeoutS: 5 }, 5],
    ["zero", podSpec({ replica: { stopTimeoutS: 0 } }), {}, 0],
  ];
  for (const [name, spec, o, seconds] of grace) {
    it(`terminationGracePeriodSeconds: ${name}`, () => expect(deployment(spec, o)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]).toBe(seconds));
  }

  const commands: [string, Partial<PodSpec["replica"]>, Obj][] = [
    ["the image's own", {}, {}],
    ["a command is args", { command: ["serve", "-v"] }, { args: ["serve", "-v"] }],
    ["an entrypoint is command", { entrypoint: ["/run"] }, { command: ["/run"] }],
    ["both", { entrypoint: ["/run", "-x"], command: ["serve"] }, { command: ["/run", "-x"], args: ["serve"] }],
    ["a cleared entrypoint runs the command itself", { entrypoint: [""], command: ["/srv", "-p"] }, { command: ["/srv", "-p"] }],
    ["$ is escaped from Kubernetes' $(VAR)", { command: ["echo", "$(HOME) $HOME"] }, { args: ["echo", "$$(HOME) $$HOME"] }],
  ];
  for (const [name, replica, expected] of commands) {
    it(`command and args: ${name}`, () => {
      const c = container(podSpec({ replica }));
      expect({ ...(c["command"] ? { command: c["command"] } : {}), ...(c["args"] ? { args: c["args"] } : {}) }).toEqual(expected);
    });
  }

  it("env with the values, $ escaped", () => {
    expect(container(podSpec({ replica: { env: ["A=1", "B=x=y", "C=", "D=$(X)"] } }))["env"]).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "x=y" },
      { name: "C", value: "" },
      { name: "D", value: "$$(X)" },
    ]);
  });

  const limits: [number | null, number | null, Obj | undefined][] = [
    [null, null, undefined],
    [500_000_000, null, { limits: { cpu: "500m" } }],
    [2_000_000_000, 512 * 1024 ** 2, { limits: { cpu: "2", memory: "512Mi" } }],
    [1, 3 * 1024 ** 3, { limits: { cpu: "1m", memory: "3Gi" } }],
    [null, 10 * 1024 ** 2 + 1, { limits: { memory: String(10 * 1024 ** 2 + 1) } }],
  ];
  for (const [nanoCpus, memoryBytes, expected] of limits) {
    it(`resources: cpus ${nanoCpus}, memory ${memoryBytes}`, () => expect(container(podSpec({ replica: { nanoCpus, memoryBytes } }))["resources"]).toEqual(expected));
  }

  const users: [string | null, Obj | undefined, RegExp | null][] = [
    [null, undefined, null],
    ["1000", { runAsUser: 1000 }, null],
    ["1000:2000", { runAsUser: 1000, runAsGroup: 2000 }, null],
    ["0", { runAsUser: 0 }, null],
    ["nobody", undefined, /the user "nobody" is a name/],
    ["app:app", undefined, /the user "app:app" is a name/],
  ];
  for (const [user, context, note] of users) {
    it(`securityContext: user ${user}`, () => {
      const spec = podSpec({ replica: { user } });
      expect(container(spec)["securityContext"]).toEqual(context);
      const notes = kubernetesExport(spec).notes;
      if (note) expect(notes.some((n) => note.test(n))).toBe(true);
      else expect(notes.filter((n) => /user/.test(n))).toEqual([]);
    });
  }

  it("a tcpSocket readiness probe on the published tcp port; none for udp", () => {
    expect(container(podSpec({ network: { ports: [tcp(80, 8080)] } }))["readinessProbe"]).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 2 });
    expect(container(podSpec({ network: { ports: [{ hostIp: "", hostPort: 53, containerPort: 53, protocol: "udp" }] } }))["readinessProbe"]).toBeUndefined();
    expect(container(podSpec())["readinessProbe"]).toBeUndefined();
  });

  it("one probe per container: the first tcp port, and a note for the others", () => {
    const spec = podSpec({ network: { ports: [{ hostIp: "", hostPort: 53, containerPort: 53, protocol: "udp" }, tcp(80, 8080), tcp(443, 8443), tcp(8081, 8080)] } });
    expect(container(spec)["readinessProbe"]["tcpSocket"]).toEqual({ port: 8080 });
    expect(container(spec)["ports"]).toEqual([
      { containerPort: 53, protocol: "UDP" },
      { containerPort: 8080, protocol: "TCP" },
      { containerPort: 8443, protocol: "TCP" },
    ]);
    expect(kubernetesExport(spec).notes).toContain("Kubernetes gives a container one readiness probe: it checks port 8080, not 8443");
  });

  it("labels are annotations; hostname, DNS and extra hosts carried over", () => {
    const d = deployment(FULL);
    const pod = d["spec"]["template"]["spec"];
    expect(d["spec"]["template"]["metadata"]["annotations"]).toEqual(FULL.replica.labels);
    expect(pod["hostname"]).toBe("shop");
    expect(pod["dnsConfig"]).toEqual({ nameservers: ["10.0.0.2", "10.0.0.3"], searches: ["svc.local"], options: [{ name: "ndots", value: "2" }, { name: "rotate" }] });
    expect(pod["hostAliases"]).toEqual([
      { ip: "10.0.0.5", hostnames: ["db"] },
      { ip: "::1", hostnames: ["v6"] },
    ]);
  });
});

describe("toKubernetes: the Service", () => {
  it("maps each published port: host port to port, container port to targetPort", () => {
    const s = service(podSpec({ network: { ports: [tcp(80, 8080), tcp(null, 9090), { hostIp: "", hostPort: 53, containerPort: 5353, protocol: "udp" }] } }))!;
    expect(s["spec"]).toEqual({
      type: "LoadBalancer",
      selector: { "app.kubernetes.io/name": "web" },
      ports: [
        { name: "tcp-80", port: 80, targetPort: 8080, protocol: "TCP" },
        { name: "tcp-9090", port: 9090, targetPort: 9090, protocol: "TCP" },
        { name: "udp-53", port: 53, targetPort: 5353, protocol: "UDP" },
      ],
    });
  });

  it("ports bound to loopback only stay inside the cluster: ClusterIP", () => {
    expect(service(podSpec({ network: { ports: [tcp(80, 8080, "127.0.0.1"), tcp(81, 8081, "::1")] } }))!["spec"]["type"]).toBe("ClusterIP");
    expect(service(podSpec({ network: { ports: [tcp(80, 8080, "127.0.0.1"), tcp(81, 8081)] } }))!["spec"]["type"]).toBe("LoadBalancer");
  });

  it("one host port on two addresses is published once, with a note", () => {
    const spec = podSpec({ network: { ports: [tcp(80, 8080, "10.0.0.1"), tcp(80, 8081, "10.0.0.2")] } });
    expect(service(spec)!["spec"]["ports"]).toEqual([{ name: "tcp-80", port: 80, targetPort: 8080, protocol: "TCP" }]);
    expect(kubernetesExport(spec).notes).toContain("10.0.0.2:80->8081/tcp is left out: a Service publishes each port once");
  });

  it("no published port, no Service", () => {
    const out = kubernetesExport(podSpec());
    expect(objects(out.yaml).map((o) => o["kind"])).toEqual(["Deployment"]);
    expect(out.notes).toContain("the pod publishes no port, so there is no Service");
  });
});

describe("toKubernetes: what it cannot carry is said, at the top of the file", () => {
  it("FULL's notes", () => {
    const { yaml, notes } = kubernetesExport(FULL);
    expect(notes).toEqual([
      'the pod shop_web.v2 is named shop-web-v2: Kubernetes names are lowercase letters, digits and "-"',
      "Kubernetes gives a container one readiness probe: it checks port 8080, not 9090, 443, 9000, 9001",
      "the stop signal SIGQUIT is left out: Kubernetes sends the image's STOPSIGNAL (lifecycle.stopSignal needs the ContainerStopSignals feature)",
      "the volumes /srv/static:/static:ro, data:/var/lib/shop, logs:/logs:nocopy, /cache, /srv/z:/z:ro,z, /srv/p:/p:rshared are left out: map them to PersistentVolumeClaims or hostPath volumes yourself",
      "the networks front, back and their aliases are left out: Kubernetes has one pod network, where the Service's name shop-web-v2 resolves",
      "the DNS servers are added to the cluster's (dnsPolicy ClusterFirst): set dnsPolicy None to use them alone",
      "gw maps to Docker's host-gateway, which Kubernetes has no name for: left out",
    ]);
    expect(yaml.split("\n").slice(0, notes.length + 1)).toEqual(["# The pod shop_web.v2 as Kubernetes objects: kubectl apply -f FILE", ...notes.map((n) => `# note: ${n}`)]);
  });

  it("a plain pod has none", () => expect(kubernetesExport(podSpec({ network: { ports: [tcp(80, 8080)] } })).notes).toEqual([]));
});

describe("names and quantities", () => {
  const names: [string, string][] = [
    ["web", "web"],
    ["Web_App.v2", "web-app-v2"],
    ["9lives", "pod-9lives"],
    ["_x_", "x"],
    ["a".repeat(64), "a".repeat(63)],
  ];
  for (const [pod, name] of names) it(`kubernetesName(${pod})`, () => expect(kubernetesName(pod)).toBe(name));
  const cpus: [number, string][] = [
    [1_000_000_000, "1"],
    [500_000_000, "500m"],
    [1_500_000_000, "1500m"],
    [333_333_333, "334m"],
  ];
  for (const [nano, q] of cpus) it(`cpuQuantity(${nano})`, () => expect(cpuQuantity(nano)).toBe(q));
  const memory: [number, string][] = [
    [1024 ** 3, "1Gi"],
    [1536 * 1024 ** 2, "1536Mi"],
    [6 * 1024 ** 2, "6Mi"],
    [7 * 1024, "7Ki"],
    [6 * 1024 ** 2 + 1, "6291457"],
  ];
  for (const [bytes, q] of memory) it(`memoryQuantity(${bytes})`, () => expect(memoryQuantity(bytes)).toBe(q));
});

it("the validation used above does catch an invalid object", () => {
  expect(() => objects("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: '3', selector: {}, template: {}}\n")).toThrow(/replicas must be integer/);
  expect(() => objects("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 80, protocol: SCTPX}]}\n")).toThrow(/protocol/);
});

describe("toKubernetes: the replica's health check as readiness and liveness probes", () => {
  const web = [tcp(80, 8080)];
  const withHealth = (health: PodSpec["replica"]["health"], ports = web) => podSpec({ network: { ports }, replica: { ...(health ? { health } : {}) } });
  const none = { intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null };
  const rows: [string, PodSpec, Obj, Obj | undefined][] = [
    [
      "pod's http probe at its timings; the start period delays liveness",
      withHealth({ check: { kind: "http", path: "/health", port: null }, intervalMs: 1000, timeoutMs: 2000, retries: 2, startPeriodMs: 5000 }),
      { httpGet: { path: "/health", port: 8080 }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 2 },
      { httpGet: { path: "/health", port: 8080 }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 2, initialDelaySeconds: 5 },
    ],
    [
      "pod's tcp probe on a named port, at Docker's defaults",
      withHealth({ check: { kind: "tcp", port: 9090 }, ...none }),
      { tcpSocket: { port: 9090 }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 },
      { tcpSocket: { port: 9090 }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 },
    ],
    [
      "a shell command runs in /bin/sh",
      withHealth({ check: { kind: "cmd", test: ["CMD-SHELL", "curl -f localhost"] }, ...none, retries: 5 }),
      { exec: { command: ["/bin/sh", "-c", "curl -f localhost"] }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 5 },
      { exec: { command: ["/bin/sh", "-c", "curl -f localhost"] }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 5 },
    ],
    [
      "an exec command as it is",
      withHealth({ check: { kind: "cmd", test: ["CMD", "/http_server", "-health-check"] }, ...none, intervalMs: 3000, timeoutMs: 1000 }),
      { exec: { command: ["/http_server", "-health-check"] }, periodSeconds: 3, timeoutSeconds: 1, failureThreshold: 3 },
      { exec: { command: ["/http_server", "-health-check"] }, periodSeconds: 3, timeoutSeconds: 1, failureThreshold: 3 },
    ],
    ["no check: ready once it listens, as pod's readiness", withHealth({ check: { kind: "none" }, ...none }), { tcpSocket: { port: 8080 }, periodSeconds: 2 }, undefined],
    ["the image's own: ready once it listens", withHealth(undefined), { tcpSocket: { port: 8080 }, periodSeconds: 2 }, undefined],
  ];
  for (const [situation, spec, readiness, liveness] of rows) {
    it(situation, () => {
      const c = container(spec);
      expect(c["readinessProbe"]).toEqual(readiness);
      expect(c["livenessProbe"]).toEqual(liveness);
    });
  }

  it("says what whole seconds change, and that the image's HEALTHCHECK is not carried", () => {
    const sub = kubernetesExport(withHealth({ check: { kind: "http", path: "/", port: null }, intervalMs: 500, timeoutMs: 1500, retries: null, startPeriodMs: null }));
    expect(sub.notes).toEqual(["Kubernetes counts whole seconds: the interval 500ms is 1s there", "Kubernetes counts whole seconds: the timeout 1.5s is 2s there"]);
    const image = kubernetesExport(withHealth({ check: { kind: "image" }, intervalMs: 2000, timeoutMs: null, retries: null, startPeriodMs: null }));
    expect(image.notes).toContain("the image's HEALTHCHECK and its timings are left out: Kubernetes runs no HEALTHCHECK; give the pod --health-cmd or --health-http to carry it as probes");
  });

  it("a probe on its own port is no second readiness port to warn about", () => {
    const spec = withHealth({ check: { kind: "http", path: "/health", port: null }, ...none }, [tcp(80, 8080), tcp(81, 8081)]);
    expect(kubernetesExport(spec).notes.filter((n) => n.includes("one readiness probe"))).toEqual([]);
    expect(objects(toKubernetes(spec)).length).toBe(2);
  });
});
