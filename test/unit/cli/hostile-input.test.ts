// Hostile and mistyped input through the exported parser, against the fake engine: each is
// refused in one line (what was wrong; what to do) with exit 2, and the engine sees no call
// at all, or at least no write. Rows from issue 20.
import { beforeEach, describe, expect, it } from "vitest";
import type { EngineTarget } from "../../../src/commands/shared/deps.js";
import { readInputFile } from "../../../src/files.js";
import { run } from "../../../src/cli/parser.js";
import { EngineError } from "../../../src/errors.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;
let targets: EngineTarget[];

beforeEach(() => {
  engine = new FakeEngine();
  targets = [];
});

async function pod(argv: string[], files: Record<string, string> = {}) {
  const { deps, captured } = fakeDeps(engine, files);
  // Named files from the table, the rest from disk through pod's own reader (/dev/zero).
  deps.readFile = (path) => (path in files ? files[path]! : readInputFile(path));
  deps.engine = (target) => {
    targets.push(target);
    return engine;
  };
  const code = await run(argv, deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

const words = (line: string) => line.split(" ").filter(Boolean);
const writes = () => engine.calls.filter((c) => /^(create|start|stop|rename|remove|update|build|connect|exec)/.test(c));

const big = (n: number) => "s".repeat(n);
const FILES: Record<string, string> = {
  "nul.env": "A=1\nDB_PASSWORD=hunter2\0more\n",
  "huge-value.env": `BIG=${big(130 * 1024)}\n`,
  "wide.env": Array.from({ length: 300 }, (_, i) => `K${i}=${big(1000)}`).join("\n"),
  "many.env": Array.from({ length: 1100 }, (_, i) => `K${i}=1`).join("\n"),
  "pod-name.env": "POD_NAME=mine\n",
  "compose.yaml": 'services:\n  web:\n    image: web\n    environment:\n      DB_PASSWORD: "hunter2\\0more"\n',
  "zero.yaml": "services:\n  web:\n    image: web\n    env_file: /dev/zero\n",
};

// [argv, what the one line must say]
const refused: [string[], RegExp][] = [
  // Defect 3: a word after an option that takes a value is its value, never an option.
  [words("logs web --since -1h"), /^pod: --since "-1h" is not a time; /],
  [words("up --replicas -1h web"), /^pod: --replicas "-1h" is not a whole number; /],
  [words("exec web --replica -h -- ls"), /^pod: --replica "-h" is not a whole number; /],
  [words("up -p -1:8080 web"), /^pod: --publish "-1:8080": "-1" is not a port or range; /],
  [words("up --memory -5m web"), /^pod: --memory "-5m" is not a size; /],
  [words("up --name -bx web"), /^pod: invalid pod name "-bx"/],
  [words("logs web --since"), /^pod: --since needs a value; `pod logs --help` says what it takes$/],
  [words("up web --name"), /^pod: --name needs a value; /],
  [words("exec web --replica -- ls"), /^pod: --replica needs a value; /],
  // Defect 1 and 7: env values checked before any call, named by key, never by value.
  [words("up --env-file nul.env web"), /^pod: --env-file nul\.env:2: variable DB_PASSWORD holds a NUL byte/],
  [words("up --env-file huge-value.env web"), /^pod: variable BIG is 131 KiB, and the kernel starts no process with one variable over 128 KiB; /],
  [words("up --env-file wide.env web"), /^pod: the environment is 29\d KiB in 300 variables, more than the 256 KiB pod allows/],
  [words("up --env-file many.env web"), /^pod: the environment has 1100 variables, more than the 1024 pod allows; /],
  [words("up -f compose.yaml"), /^pod: compose\.yaml: services\.web\.environment: variable DB_PASSWORD holds a NUL byte/],
  [["up", "-l", `big=${big(70 * 1024)}`, "web"], /^pod: the labels are 71 KiB, more than the 64 KiB pod allows; /],
  [words("up -e POD_NAME=x web"), /^pod: variable POD_NAME is set by pod itself/],
  [words("up --env-file pod-name.env web"), /^pod: variable POD_NAME is set by pod itself/],
  [words("up -e POD_REPLICA=2 web"), /^pod: variable POD_REPLICA is set by pod itself/],
  [words("set web -e POD_NAME=x"), /^pod: variable POD_NAME is set by pod itself/],
  // Defect 6: files that are not files.
  [words("up --env-file /dev/zero web"), /^pod: --env-file \/dev\/zero cannot be read \(a character device, not a regular file\); give the path of a regular file/],
  [words("up -f /dev/zero"), /^pod: -f \/dev\/zero cannot be read \(a character device, not a regular file\); /],
  [words("up -f zero.yaml"), /^pod: \/dev\/zero cannot be read \(a character device, not a regular file\); /],
  // What pod can check before the engine does.
  [words("up --cpus 9999 web"), /^pod: --cpus 9999 is out of range; /],
  [words("up --cpus 0.001 web"), /^pod: --cpus 0\.001 is out of range; Docker takes 0\.01 /],
  [words("up --memory 99999999999999g web"), /^pod: --memory "99999999999999g" is larger than any host's memory; /],
  [words("up --stop-signal SIGBOGUS web"), /^pod: --stop-signal "SIGBOGUS" is not a signal; /],
  [words("up --stop-signal 999 web"), /^pod: --stop-signal "999" is not a signal; /],
  [words("up -v relative/path:/data web"), /^pod: --volume "relative\/path:\/data": "relative\/path" is neither an absolute path nor a volume name; a bind mount needs an absolute path/],
  [words("up -v /src:/data:bogus web"), /^pod: --volume "\/src:\/data:bogus": unknown option "bogus"; /],
  [["up", "--network", "", "web"], /^pod: --network "" is not a network name; /],
  [words("logs web --since 99999999999999999999"), /^pod: --since 99999999999999999999 is past the year 9999; /],
  [words("up --dns notanip web"), /^pod: --dns "notanip" is not an IP address; /],
  [["up", "--hostname", "bad host!", "web"], /^pod: --hostname "bad host!" is not a host name; /],
  [words("up --parallel 0 web"), /^pod: --parallel 0 is out of range; replicas replaced at once/],
  [words("restart web --parallel 0"), /^pod: --parallel 0 is out of range; /],
  [words("up --ready-timeout 0 web"), /^pod: --ready-timeout 0 is out of range; /],
  [words("logs web --tail some"), /^pod: --tail "some" is not a number of lines; /],
];

describe("refused in one line, exit 2, before any engine call", () => {
  it.each(refused.map(([argv, message]) => [argv.join(" ").slice(0, 60), argv, message] as const))("pod %s", async (_, argv, message) => {
    const r = await pod(argv, FILES);
    expect(r.code, r.err).toBe(2);
    expect(r.errLines, r.err).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/^pod: .+; .+/);
    expect(r.err).not.toMatch(/hunter2|sss/);
    expect(engine.calls).toEqual([]);
  });
});

describe("a value that looks like an option is the option's value", () => {
  it("-e -H=1 is a variable named -H, and the engine stays the default one", async () => {
    const r = await pod(words("up --replicas 1 -e -H=1 -p 80:8080 web"));
    expect(r.code, r.err).toBe(0);
    expect(targets.every((t) => t.host === undefined)).toBe(true);
    expect(engine.find("web-1")!.config.Env).toContain("-H=1");
  });

  it("-p80:8080, a value glued to its option, is that value", async () => {
    const r = await pod(words("up -p80:8080 -e-H=1 web"));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("0.0.0.0:80->8080/tcp");
    expect(engine.find("web-1")!.config.Env).toContain("-H=1");
    expect(targets.every((t) => t.host === undefined)).toBe(true);
  });

  it("--name -- is not a name", async () => {
    const r = await pod(words("up --name -- web"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pod: --name needs a value/);
  });
});

describe("engine text that echoes env values is hidden before it is printed or stored", () => {
  /** An engine whose runtime refuses web:v2's replicas, quoting their env as runc does. */
  class EchoingEngine extends FakeEngine {
    override async startContainer(id: string): Promise<void> {
      const c = this.find(id)!;
      if (c.config.Image === "web:v2" && c.config.Labels["dev.pod.role"] === "replica") {
        const entry = c.config.Env!.find((e) => e.startsWith("DB_PASSWORD="))!;
        throw new EngineError(`POST /containers/${id}/start: OCI runtime create failed: environment variable value can't contain null(\\x00): ${JSON.stringify(entry)}: unknown`, undefined, 500);
      }
      return super.startContainer(id);
    }
  }

  it("in the error printed, the history and inspect", async () => {
    engine = new EchoingEngine();
    expect((await pod(words("up --replicas 1 -p 80:8080 -e DB_PASSWORD=hunter2 web"))).code).toBe(0);
    const r = await pod(words("up --replicas 1 -p 80:8080 -e DB_PASSWORD=hunter2 --debug web:v2"));
    expect(r.code).toBe(1);
    expect(r.err).toContain('"DB_PASSWORD=<hidden>"');
    expect(r.err).not.toContain("hunter2");
    const history = await pod(words("history web --json"));
    const failed = JSON.parse(history.out).find((g: { status: string }) => g.status === "failed");
    expect(failed.error).toContain('"DB_PASSWORD=<hidden>"');
    expect(history.out).not.toContain("hunter2");
    expect((await pod(words("inspect web"))).out).not.toContain("hunter2");
  });
});

describe("set: the environment bounded as a whole, with what the record holds", () => {
  it("refuses a set whose variables, added to the recorded ones, pass 256 KiB, changing nothing", async () => {
    const half = (prefix: string) => Array.from({ length: 150 }, (_, i) => `${prefix}${i}=${big(1000)}`).join("\n");
    const files = { "a.env": half("A"), "b.env": half("B") };
    expect((await pod(words("up --replicas 1 -p 80:8080 --env-file a.env web"), files)).code).toBe(0);
    const before = engine.names();
    engine.calls.length = 0;
    const r = await pod(words("set web --env-file b.env"), files);
    expect(r.code).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toMatch(/^pod: the environment is 29\d KiB in 300 variables, more than the 256 KiB pod allows/);
    expect(writes().filter((c) => !c.includes("web-lock"))).toEqual([]);
    expect(engine.names()).toEqual(before);
  });
});

describe("what only the pod's containers can tell, still one line and no write", () => {
  beforeEach(async () => {
    expect((await pod(words("up --replicas 2 -p 80:8080 web"))).code).toBe(0);
    engine.calls.length = 0;
  });

  it("logs of a replica the pod does not have is refused, as replica 0 is", async () => {
    for (const n of ["9", "0"]) {
      const r = await pod(words(`logs web ${n}`));
      expect(r.code, r.err).toBe(2);
      expect(r.errLines).toHaveLength(1);
    }
    expect((await pod(words("logs web 9"))).err).toBe("pod: pod web has no replica 9; its replicas are 1, 2");
    expect((await pod(words("logs web 2 --previous"))).err).toMatch(/^pod: pod web has no previous container of replica 2; /);
    expect(writes()).toEqual([]);
  });

  it("--tail all is docker's spelling of every line", async () => {
    engine.logLines["web-1"] = [{ stream: "stdout", text: "hello", time: 1, stamp: "1970-01-01T00:00:00.001Z" }];
    const r = await pod(words("logs web 1 --tail all"));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("hello");
  });
});
