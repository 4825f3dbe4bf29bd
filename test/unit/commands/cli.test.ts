// the command line: parsing, help, errors, through the exported parser against the fake engine: what it asks of
// Docker, what it prints, its exit codes, and that bad input touches nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/parser.js";
import { EngineUnreachableError } from "../../../src/errors.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;

beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string, files: Record<string, string> = {}) {
  const { deps, captured } = fakeDeps(engine, files);
  const code = await run(line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n"), errLines: captured.err };
}

describe("errors", () => {
  it("an unreachable engine is one line with exit 3", async () => {
    engine.listContainers = async () => {
      throw new EngineUnreachableError("no Docker engine answers at unix:///fake.sock (ENOENT)", "start one");
    };
    const r = await pod("ps");
    expect(r.code).toBe(3);
    expect(r.errLines).toEqual(["pod: no Docker engine answers at unix:///fake.sock (ENOENT); start one"]);
  });
});

describe("the command line", () => {
  it("passes the words after -- to the container verbatim, as strings", async () => {
    const r = await pod("up --replicas 1 -p 80:8080 web -- /http_server 1e3 0x10 1.50 -d");
    expect(r.code, r.err).toBe(0);
    expect(engine.find("web-1")!.config.Cmd).toEqual(["/http_server", "1e3", "0x10", "1.50", "-d"]);
  });

  it("answers pod help CMD, pod --version and pod version", async () => {
    const help = await pod("help up");
    expect(help.code).toBe(0);
    expect(help.out).toContain("Create or update a pod");
    expect(help.out).toContain("Examples:");
    expect((await pod("--version")).out).toMatch(/^\d+\.\d+\.\d+$/);
    const v = await pod("version");
    expect(v.out).toMatch(/^client\s+\d+\.\d+\.\d+\s+node v\d+/m);
    expect(v.out).toMatch(/^engine\s+20\.10\.24\s+API 1\.41/m);
  });

  it("every command's --help has examples", async () => {
    for (const cmd of ["up", "set", "scale", "restart", "rollback", "history", "ps", "logs", "exec", "inspect", "stats", "down", "agent", "version", "completion"]) {
      const r = await pod(`${cmd} --help`);
      expect(r.out, cmd).toContain("Examples:");
    }
  });

  it("prints completion scripts, and completes commands, options and pod names", async () => {
    for (const shell of ["bash", "zsh", "fish"]) expect((await pod(`completion ${shell}`)).out).toContain("pod __complete");
    await pod("up --replicas 1 -p 80:8080 web");
    expect((await pod("__complete -- sc")).out).toBe("scale");
    expect((await pod("__complete -- scale --re")).out).toBe("--ready-timeout");
    expect((await pod("__complete -- logs w")).out).toBe("web");
  });
});

describe("the version", () => {
  it("is package.json's", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
    expect((await pod("--version")).out).toBe(pkg.version);
  });
});

describe("unknown commands", () => {
  it("are named, with the nearest command", async () => {
    const r = await pod("psx");
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual(["pod: unknown command \"psx\"; did you mean `pod ps`? `pod --help` lists the commands"]);
    expect((await pod("frobnicate")).err).toBe("pod: unknown command \"frobnicate\"; `pod --help` lists the commands");
  });
});

describe("global options before the command", () => {
  it("--context NAME and -H HOST are not taken for the command", async () => {
    // The fake engine ignores which engine is named: what matters here is the parsing.
    const r = await pod("--context nowhere ps");
    expect(r.code, r.err).toBe(0);
    expect((await pod("-H unix:///fake.sock ps")).code).toBe(0);
    expect((await pod("--debug help ps")).out).toContain("pod ps [name]");
  });
});

describe("yargs's own complaints, as one line", () => {
  const rows: [string, string][] = [
    ["export web --to helm", 'pod: --to "helm" is not one of kubernetes, swarm, compose; `pod export --help` shows how'],
    ["scale web", "pod: pod scale needs NAME and REPLICAS; `pod scale --help` shows how"],
    ["agent frob", 'pod: "frob" is not one of start, stop, status, logs, run, systemd; `pod agent --help` shows how'],
    ["--bogus ps", "pod: unknown option --bogus; `pod ps --help` lists its options"],
    ["rollback web --to abc", "pod: --to abc is not a generation number; `pod history web` lists them"],
  ];
  for (const [line, expected] of rows) {
    it(`pod ${line}`, async () => {
      const r = await pod(line);
      expect(r.code).toBe(2);
      expect(r.errLines).toEqual([expected]);
      expect(engine.calls).toEqual([]);
    });
  }
});
