// A compose file as Compose decides the project: its name, the names and labels of what it
// makes, the order its services come up in, and what is refused before anything is made.
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { normalizeProjectName } from "../../../src/compose/project-name.js";
import { loadProject, missingExternals, refuseMissingExternals, type ProjectResult } from "../../../src/compose/project.js";

const FILE = "/srv/My Shop/compose.yaml";

interface Options {
  files?: Record<string, string>;
  env?: Record<string, string>;
  projectName?: string | null;
  services?: string[];
  profiles?: string[];
  scale?: Record<string, number>;
  withDependencies?: boolean;
  path?: string;
}

function load(yaml: string, o: Options = {}): ProjectResult {
  const files = o.files ?? {};
  return loadProject({
    path: o.path ?? FILE,
    text: yaml,
    projectName: o.projectName ?? null,
    services: o.services ?? [],
    ...(o.profiles ? { profiles: o.profiles } : {}),
    ...(o.scale ? { scale: o.scale } : {}),
    ...(o.withDependencies !== undefined ? { withDependencies: o.withDependencies } : {}),
    env: o.env ?? { HOME: "/home/me" },
    readFile: (path) => files[path] ?? null,
  });
}

function failure(yaml: string, o?: Options): { message: string; hint: string } {
  try {
    load(yaml, o);
  } catch (err) {
    if (err instanceof UsageError) return { message: err.message, hint: err.hint ?? "" };
    throw err;
  }
  throw new Error("loaded without an error");
}

const one = "services:\n  web:\n    image: web\n";

describe("the project's name, as Compose decides it", () => {
  const normal: [string, string][] = [
    ["myapp", "myapp"],
    ["My Shop", "myshop"],
    ["UNNORMALIZED PATH", "unnormalizedpath"],
    ["www.my.project", "wwwmyproject"],
    ["_-lead", "lead"],
    ["42my_project_num", "42my_project_num"],
    ["été", "t"],
    ["...", ""],
  ];
  for (const [given, expected] of normal) it(`normalises "${given}" to "${expected}"`, () => expect(normalizeProjectName(given)).toBe(expected));

  const rows: [string, string, Options, string][] = [
    ["-p first", "name: named\n" + one, { projectName: "flag", env: { COMPOSE_PROJECT_NAME: "env" } }, "flag"],
    ["then COMPOSE_PROJECT_NAME from the environment", "name: named\n" + one, { env: { COMPOSE_PROJECT_NAME: "env" } }, "env"],
    ["then COMPOSE_PROJECT_NAME from .env", "name: named\n" + one, { files: { "/srv/My Shop/.env": "COMPOSE_PROJECT_NAME=dotenv" } }, "dotenv"],
    ["the environment wins over .env", one, { env: { COMPOSE_PROJECT_NAME: "env" }, files: { "/srv/My Shop/.env": "COMPOSE_PROJECT_NAME=dotenv" } }, "env"],
    ["an empty COMPOSE_PROJECT_NAME counts as unset", "name: named\n" + one, { env: { COMPOSE_PROJECT_NAME: "" } }, "named"],
    ["then name:, normalised", "name: My.Named\n" + one, {}, "mynamed"],
    ["name: interpolated", "name: shop-${STAGE:-dev}\n" + one, { env: { STAGE: "prod" } }, "shop-prod"],
    ["an empty name: falls through to the directory", "name: ''\n" + one, {}, "myshop"],
    ["then the directory, normalised", one, {}, "myshop"],
    ["a project name starting with a digit", one, { projectName: "42my_project_num" }, "42my_project_num"],
  ];
  for (const [name, yaml, o, expected] of rows) it(name, () => expect(load(yaml, o).project.name).toBe(expected));

  it("${COMPOSE_PROJECT_NAME} in the file is the project's name", () => {
    const { project } = load("name: shop\nservices:\n  web:\n    image: web\n    hostname: ${COMPOSE_PROJECT_NAME}-h\n");
    expect(project.services[0]!.spec.network.hostname).toBe("shop-h");
  });

  const refused: [string, Options, RegExp][] = [
    ["-p with a capital", { projectName: "MY_PROJECT" }, /^-p "MY_PROJECT" is not a project name: it must consist only of lowercase letters, digits, dashes and underscores/],
    ["-p with a dot", { projectName: "www.my.project" }, /^-p "www\.my\.project" is not a project name/],
    ["-p starting with _", { projectName: "_my_project" }, /^-p "_my_project" is not a project name/],
    ["COMPOSE_PROJECT_NAME starting with -", { env: { COMPOSE_PROJECT_NAME: "-my_project" } }, /^COMPOSE_PROJECT_NAME "-my_project" is not a project name/],
    ["a directory with no letter or digit, and nothing else", { path: "/srv/___/compose.yaml" }, /^\/srv\/___\/compose\.yaml: the project has no name/],
  ];
  for (const [name, o, message] of refused) {
    it(`refuses ${name}`, () => expect(failure(one, o).message).toMatch(message));
  }
});

describe("names and labels, as Compose gives them", () => {
  const yaml = [
    "name: shop",
    "services:",
    "  web:",
    "    image: web",
    "    networks: {front: {aliases: [www]}, back: null}",
    "    volumes: [data:/d, cache:/c, ./static:/s:ro]",
    "    labels: {team: a, com.docker.compose.project: other}",
    "    depends_on: {api: {condition: service_healthy}}",
    "  api:",
    "    image: api",
    "    deploy: {replicas: 2}",
    "  host:",
    "    image: h",
    "    network_mode: host",
    "networks:",
    "  front: {driver: bridge, internal: true, labels: {tier: front}, driver_opts: {com.docker.network.bridge.name: br-front}}",
    "  back: {external: true, name: corp}",
    "volumes:",
    "  data: {labels: [keep=1]}",
    "  cache: {external: true}",
  ].join("\n");
  const { project, warnings } = load(yaml);
  const web = project.services.find((s) => s.service === "web")!;
  const api = project.services.find((s) => s.service === "api")!;

  it("pods are PROJECT-SERVICE, so the sandbox is PROJECT-SERVICE-sandbox and replicas PROJECT-SERVICE-N", () => {
    expect(project.services.map((s) => s.spec.name)).toEqual(["shop-api", "shop-web", "shop-host"]);
  });

  it("networks: PROJECT_KEY, PROJECT_default for services that name none, external and name: as given", () => {
    expect(project.networks.map((n) => [n.key, n.name, n.external])).toEqual([
      ["default", "shop_default", false],
      ["front", "shop_front", false],
      ["back", "corp", true],
    ]);
    expect(project.networks[1]).toEqual({
      key: "front",
      name: "shop_front",
      external: false,
      driver: "bridge",
      driverOpts: { "com.docker.network.bridge.name": "br-front" },
      internal: true,
      labels: { tier: "front", "com.docker.compose.project": "shop", "com.docker.compose.network": "front" },
    });
    expect(project.networks[2]!.labels).toEqual({});
  });

  it("each service is known on each of its networks by its service name, then its own aliases", () => {
    expect(web.spec.network.networks).toEqual([
      { name: "shop_front", aliases: ["web", "www"] },
      { name: "corp", aliases: ["web"] },
    ]);
    expect(web.networks).toEqual([
      { key: "front", name: "shop_front" },
      { key: "back", name: "corp" },
    ]);
    expect(api.spec.network.networks).toEqual([{ name: "shop_default", aliases: ["api"] }]);
    expect(project.services.find((s) => s.service === "host")!.networks).toEqual([]);
  });

  it("volumes: PROJECT_KEY, external as given; binds stay paths", () => {
    expect(web.spec.replica.volumes).toEqual(["shop_data:/d", "cache:/c", "/srv/My Shop/static:/s:ro"]);
    expect(project.volumes).toEqual([
      { key: "data", name: "shop_data", external: false, driver: null, driverOpts: {}, labels: { keep: "1", "com.docker.compose.project": "shop", "com.docker.compose.volume": "data" } },
      { key: "cache", name: "cache", external: true, driver: null, driverOpts: {}, labels: {} },
    ]);
  });

  it("Compose's labels on the replicas (over the file's own) and the sandbox; container-number is the renderer's", () => {
    const compose = {
      "com.docker.compose.project": "shop",
      "com.docker.compose.service": "web",
      "com.docker.compose.oneoff": "False",
      "com.docker.compose.project.working_dir": "/srv/My Shop",
      "com.docker.compose.project.config_files": "/srv/My Shop/compose.yaml",
      "com.docker.compose.depends_on": "api:service_healthy:false",
    };
    expect(web.spec.replica.labels).toEqual({ team: "a", ...compose });
    expect(web.sandboxLabels).toEqual(compose);
    expect(project).toMatchObject({ name: "shop", workingDir: "/srv/My Shop", files: ["/srv/My Shop/compose.yaml"] });
  });

  it("says nothing about networks it creates", () => expect(warnings).toEqual([]));

  it("warns about network and volume settings pod does not carry", () => {
    const w = load("services:\n  web:\n    image: web\n    volumes: [v:/v]\nnetworks:\n  default: {ipam: {driver: default}, attachable: true}\nvolumes:\n  v: {driver: local, x-note: 1}\n").warnings;
    expect(w).toEqual([
      `${FILE}: networks.default.ipam: ignored: pod creates networks with driver, driver_opts, internal, labels only`,
      `${FILE}: networks.default.attachable: ignored: pod creates networks with driver, driver_opts, internal, labels only`,
    ]);
  });
});

describe("the order services come up in (down runs it backwards)", () => {
  const svc = (name: string, extra = "") => `  ${name}:\n    image: ${name}\n${extra}`;
  const deps = (...names: string[]) => `    depends_on: [${names.join(", ")}]\n`;
  const order = (yaml: string, o?: Options) => load(`services:\n${yaml}`, o).project.services.map((s) => s.service);
  const rows: [string, string, Options, string[]][] = [
    ["no dependencies: the file's order", svc("a") + svc("b") + svc("c"), {}, ["a", "b", "c"]],
    ["a dependency first", svc("web", deps("db")) + svc("db"), {}, ["db", "web"]],
    ["a chain", svc("a", deps("b")) + svc("b", deps("c")) + svc("c"), {}, ["c", "b", "a"]],
    ["a diamond, ties in the file's order", svc("app", deps("cache", "db")) + svc("db", deps("net")) + svc("cache", deps("net")) + svc("net"), {}, ["net", "db", "cache", "app"]],
    ["named services bring their dependencies", svc("web", deps("db")) + svc("db") + svc("tool"), { services: ["web"] }, ["db", "web"]],
    ["named services in the order named, dependencies before", svc("a") + svc("b", deps("c")) + svc("c"), { services: ["b", "a"] }, ["c", "b", "a"]],
    ["down -f SERVICE: without its dependencies", svc("web", deps("db")) + svc("db"), { services: ["web"], withDependencies: false }, ["web"]],
    ["a service in profiles is left out", svc("web") + svc("debug", "    profiles: [debug]\n"), {}, ["web"]],
    ["--profile enables it", svc("web") + svc("debug", "    profiles: [debug]\n"), { profiles: ["debug"] }, ["web", "debug"]],
    ["COMPOSE_PROFILES enables it", svc("web") + svc("debug", "    profiles: [debug]\n"), { env: { COMPOSE_PROFILES: "x, debug" } }, ["web", "debug"]],
    ["--profile '*' enables all", svc("a", "    profiles: [x]\n") + svc("b", "    profiles: [y]\n"), { profiles: ["*"] }, ["a", "b"]],
    ["naming a service enables its profiles, for the others in them too", svc("a", "    profiles: [x]\n") + svc("b", "    profiles: [x]\n" + deps("a")), { services: ["b"] }, ["a", "b"]],
    ["a dependency not required and not enabled is dropped", svc("web", "    depends_on: {debug: {condition: service_started, required: false}}\n") + svc("debug", "    profiles: [debug]\n"), {}, ["web"]],
    ["a dependency not required and not in the file is dropped", svc("web", "    depends_on: {gone: {condition: service_started, required: false}}\n"), {}, ["web"]],
  ];
  for (const [name, yaml, o, expected] of rows) it(name, () => expect(order(yaml, o)).toEqual(expected));

  it("carries each dependency's condition, required and restart", () => {
    const { project } = load(
      `services:\n${svc("web", "    depends_on:\n      db: {condition: service_healthy}\n      migrate: {condition: service_completed_successfully, restart: true}\n      cache: {condition: service_started}\n")}${svc("db")}${svc("migrate")}${svc("cache")}`,
    );
    expect(project.services.at(-1)!.dependsOn).toEqual([
      { service: "db", condition: "service_healthy", required: true, restart: false },
      { service: "migrate", condition: "service_completed_successfully", required: true, restart: true },
      { service: "cache", condition: "service_started", required: true, restart: false },
    ]);
  });

  const refused: [string, string, Options, RegExp, RegExp][] = [
    ["a cycle", svc("a", deps("b")) + svc("b", deps("c")) + svc("c", deps("a")), {}, /^\/srv\/My Shop\/compose\.yaml: services\.c\.depends_on\.a: a dependency cycle: a -> b -> c -> a$/, /remove one/],
    ["a service depending on itself", svc("a", deps("a")), {}, /services\.a\.depends_on\.a: a dependency cycle: a -> a$/, /remove one/],
    ["a cycle among services not named is still refused", svc("a") + svc("b", deps("c")) + svc("c", deps("b")), { services: ["a"] }, /a dependency cycle: b -> c -> b/, /remove/],
    ["a dependency on no service", svc("web", deps("db")), {}, /^\/srv\/My Shop\/compose\.yaml: services\.web\.depends_on\.db: "db" is no service of this file$/, /services in this file: web; or mark it required: false/],
    ["a required dependency in an inactive profile", svc("web", deps("db")) + svc("db", "    profiles: [data]\n"), {}, /services\.web\.depends_on\.db: "db" runs only in profiles data, none of them active$/, /--profile data/],
    ["an unknown condition", svc("web", "    depends_on: {db: {condition: service_ready}}\n") + svc("db"), {}, /depends_on/, /.*/],
    ["a service named that the file lacks", svc("web"), { services: ["api"] }, /has no service "api"/, /services in this file: web/],
  ];
  for (const [name, yaml, o, message, hint] of refused) {
    it(`refuses ${name}`, () => {
      const f = failure(`services:\n${yaml}`, o);
      expect(f.message).toMatch(message);
      expect(f.hint).toMatch(hint);
    });
  }
});

describe("restart, healthcheck, secrets and configs", () => {
  const spec = (lines: string, o?: Options) => load(`services:\n  web:\n    image: web\n${lines.replace(/^/gm, "    ")}\n`, o).project.services[0]!.spec;
  const rows: [string, string, unknown][] = [
    ["restart: always", "restart: always", { name: "always" }],
    ['restart: "no"', 'restart: "no"', { name: "no" }],
    ["restart: on-failure:3", "restart: on-failure:3", { name: "on-failure", maxRetries: 3 }],
    ["restart: unless-stopped", "restart: unless-stopped", { name: "unless-stopped" }],
    ["deploy.restart_policy any", "deploy: {restart_policy: {condition: any}}", { name: "always" }],
    ["deploy.restart_policy on-failure with max_attempts", "deploy: {restart_policy: {condition: on-failure, max_attempts: 5}}", { name: "on-failure", maxRetries: 5 }],
    ["deploy.restart_policy wins over restart, as in Compose", "restart: always\ndeploy: {restart_policy: {condition: none}}", { name: "no" }],
    ["no restart: pod's own (absent)", "", undefined],
  ];
  for (const [name, lines, expected] of rows) it(name, () => expect(spec(lines).replica.restart).toEqual(expected));

  const health: [string, string, unknown][] = [
    ["a CMD test with timings", "healthcheck: {test: [CMD, curl, -f, 'http://localhost/'], interval: 5s, timeout: 2s, retries: 3, start_period: 1m}", { check: { kind: "cmd", test: ["CMD", "curl", "-f", "http://localhost/"] }, intervalMs: 5000, timeoutMs: 2000, retries: 3, startPeriodMs: 60000 }],
    ["a string is CMD-SHELL", "healthcheck: {test: 'wget -q -O- localhost'}", { check: { kind: "cmd", test: ["CMD-SHELL", "wget -q -O- localhost"] }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null }],
    ["disable", "healthcheck: {disable: true}", { check: { kind: "none" }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null }],
    ["NONE", "healthcheck: {test: [NONE]}", { check: { kind: "none" }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null }],
    ["timings alone tune the image's check", "healthcheck: {interval: 30s}", { check: { kind: "image" }, intervalMs: 30000, timeoutMs: null, retries: null, startPeriodMs: null }],
    ["none given: the image's (absent)", "", undefined],
  ];
  for (const [name, lines, expected] of health) it(`healthcheck: ${name}`, () => expect(spec(lines).replica.health).toEqual(expected));

  const service = (lines: string) => load(`services:\n  web:\n    image: web\n${lines.replace(/^/gm, "    ")}\n`);
  const pulls: [string, string, unknown][] = [
    ["pull_policy: always", "pull_policy: always", "always"],
    ["pull_policy: never", "pull_policy: never", "never"],
    ["pull_policy: missing", "pull_policy: missing", "missing"],
    ["pull_policy: if_not_present is missing", "pull_policy: if_not_present", "missing"],
    ["no pull_policy: the command's --pull", "", null],
  ];
  for (const [name, lines, expected] of pulls) it(name, () => expect(service(lines).project.services[0]!.pull).toEqual(expected));
  it("pull_policy: build is refused: pod builds nothing", () => expect(failure("services:\n  web:\n    image: web\n    pull_policy: build\n").message).toMatch(/pull_policy.*is build, and pod does not build images/));

  it("secrets at /run/secrets/NAME, configs at /NAME, read-only, file: from the project directory", () => {
    const s = load(
      [
        "services:",
        "  web:",
        "    image: web",
        "    secrets: [db_pass, {source: api_key, target: key.txt}, {source: tls, target: /etc/tls.pem}]",
        "    configs: [app, {source: nginx, target: /etc/nginx/nginx.conf}]",
        "secrets:",
        "  db_pass: {file: ./secrets/db.txt}",
        "  api_key: {file: /etc/shop/key}",
        "  tls: {file: tls.pem}",
        "configs:",
        "  app: {file: ./app.yaml}",
        "  nginx: {file: ./nginx.conf}",
      ].join("\n"),
      { files: { "/srv/My Shop/secrets/db.txt": "x", "/etc/shop/key": "k", "/srv/My Shop/tls.pem": "t", "/srv/My Shop/app.yaml": "a", "/srv/My Shop/nginx.conf": "n" } },
    ).project.services[0]!.spec;
    expect(s.replica.volumes).toEqual([
      "/srv/My Shop/secrets/db.txt:/run/secrets/db_pass:ro",
      "/etc/shop/key:/run/secrets/key.txt:ro",
      "/srv/My Shop/tls.pem:/etc/tls.pem:ro",
      "/srv/My Shop/app.yaml:/app:ro",
      "/srv/My Shop/nginx.conf:/etc/nginx/nginx.conf:ro",
    ]);
  });

  it("--scale SERVICE=N wins over the file's count", () => {
    expect(spec("deploy: {replicas: 2}\nx-pod: {replicas: 3}", { scale: { web: 5 } }).replicas).toBe(5);
  });
});

describe("refused before anything is made: one line with the file and the key", () => {
  const two = (a: string, b: string) => `services:\n  a:\n    image: a\n${a}  b:\n    image: b\n${b}`;
  const rows: [string, string, Options, RegExp, RegExp][] = [
    ["two services publishing one host port (issue 20, defect 4)", two("    ports: ['80:8080']\n", "    ports: ['80:9090']\n"), {}, /^\/srv\/My Shop\/compose\.yaml: services\.b\.ports: host port 80\/tcp is published by services\.a too \(0\.0\.0\.0:80->8080\/tcp and 0\.0\.0\.0:80->9090\/tcp\)$/, /another host port/],
    ["one on every address, one on loopback", two("    ports: ['80:8080']\n", "    ports: ['127.0.0.1:80:80']\n"), {}, /services\.b\.ports: host port 80\/tcp is published by services\.a too/, /another host port/],
    ["one on the host's network, one published", two("    network_mode: host\n    ports: ['8080']\n", "    ports: ['8080:80']\n"), {}, /services\.b\.ports: host port 8080\/tcp is published by services\.a too/, /another/],
    ["--scale of no such service", two("", ""), { scale: { c: 2 } }, /^\/srv\/My Shop\/compose\.yaml: --scale c: no such service in this file$/, /services here: a, b/],
    ["--scale of a service not brought up", two("", ""), { scale: { b: 2 }, services: ["a"] }, /--scale b: is not among the services this command brings up/, /services here: a/],
    ["a secret not declared", "services:\n  web:\n    image: web\n    secrets: [token]\n", {}, /services\.web\.secrets\[0\]: the secret "token" is not declared/, /secrets: \{token: \{file:/],
    ["a secret from the environment", "services:\n  web:\n    image: web\n    secrets: [token]\nsecrets:\n  token: {environment: TOKEN}\n", {}, /secrets\.token\.environment: pod mounts secrets from files only/, /file:/],
    ["an external secret", "services:\n  web:\n    image: web\n    secrets: [token]\nsecrets:\n  token: {external: true}\n", {}, /secrets\.token: pod cannot mount an external secret/, /file:/],
    ["inline config content", "services:\n  web:\n    image: web\n    configs: [c]\nconfigs:\n  c: {content: hello}\n", {}, /configs\.c\.content: pod mounts configs from files only/, /file:/],
    ["a secret file that is not there", "services:\n  web:\n    image: web\n    secrets: [token]\nsecrets:\n  token: {file: ./token.txt}\n", {}, /secrets\.token\.file: \/srv\/My Shop\/token\.txt does not exist/, /empty directory/],
    ["an unknown restart policy", "services:\n  web:\n    image: web\n    restart: sometimes\n", {}, /services\.web\.restart: "sometimes" is not a restart policy/, /unless-stopped/],
    ["a healthcheck test that is no command", "services:\n  web:\n    image: web\n    healthcheck: {test: [RUN, x]}\n", {}, /services\.web\.healthcheck\.test: starts with "RUN"/, /CMD-SHELL/],
    ["healthcheck disable with a test", "services:\n  web:\n    image: web\n    healthcheck: {test: [CMD, x], disable: true}\n", {}, /healthcheck\.disable: is true while test is given/, /keep one/],
    ["a build:, with the command that builds it", "services:\n  web:\n    build: ./app\n", { projectName: "shop" }, /services\.web\.build: pod builds no images/, /`docker build -t shop-web '\/srv\/My Shop\/app'`/],
  ];
  for (const [name, yaml, o, message, hint] of rows) {
    it(name, () => {
      const f = failure(yaml, o);
      expect(f.message).toMatch(message);
      expect(f.hint).toMatch(hint);
      expect(f.message).not.toContain("\n");
    });
  }
});

describe("missingExternals: what the engine must have before up", () => {
  const { project } = load("name: shop\nservices:\n  web:\n    image: web\n    networks: [edge, own]\n    volumes: [old:/o, data:/d]\nnetworks:\n  edge: {external: true}\n  own: {}\nvolumes:\n  old: {external: true, name: legacy}\n  data: {}\n");
  it("lists external networks and volumes the engine lacks; made ones never", () => {
    expect(missingExternals(project, [], [])).toEqual([
      { kind: "network", key: "edge", name: "edge" },
      { kind: "volume", key: "old", name: "legacy" },
    ]);
    expect(missingExternals(project, ["edge"], ["legacy"])).toEqual([]);
  });
  it("refuses in one line naming the file and the key", () => {
    expect(() => refuseMissingExternals(project, ["edge"], [])).toThrow(/^\/srv\/My Shop\/compose\.yaml: volumes\.old: the external volume "legacy" does not exist$/);
    expect(() => refuseMissingExternals(project, [], [])).toThrow(/networks\.edge: the external network "edge" does not exist \(and 1 more\)/);
  });
});

describe("mounts", () => {
  it("refuses a volume and a secret at one path", () => {
    expect(failure("services:\n  web:\n    image: web\n    volumes: ['./t:/run/secrets/t']\n    secrets: [t]\nsecrets:\n  t: {file: ./t}\n", { files: { "/srv/My Shop/t": "x" } }).message).toMatch(
      /services\.web: mounts two things at \/run\/secrets\/t/,
    );
  });
});
