// What a person reads: help laid out by kind of option, numbers shown as numbers, and
// completion that offers what the command line can take next.
import { beforeEach, describe, expect, it } from "vitest";
import { candidates, completing } from "../../../src/commands/shared/completion.js";
import { run } from "../../../src/cli/parser.js";
import { fakeDeps, FakeEngine } from "../../support/fake-engine.js";

let engine: FakeEngine;
beforeEach(() => {
  engine = new FakeEngine();
});

async function pod(line: string | string[]) {
  const { deps, captured } = fakeDeps(engine);
  const code = await run(Array.isArray(line) ? line : line.split(" ").filter(Boolean), deps);
  return { code, out: captured.out.join("\n"), err: captured.err.join("\n") };
}

/** The lines of one group of `--help`, from its heading to the next blank line. */
function group(help: string, heading: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `${heading} in\n${help}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end);
}

describe("help", () => {
  it("shows numbers as numbers: no [string], the default unquoted", async () => {
    const help = (await pod("up --help")).out;
    const line = (name: string) => help.split("\n").find((l) => l.includes(`--${name} `))!;
    for (const [name, value] of [["replicas", "1"], ["parallel", "1"], ["ready-timeout", "60"]] as const) {
      expect(line(name)).toContain(`[default: ${value}]`);
      expect(line(name)).not.toContain("[string]");
    }
    expect(line("cpus")).not.toContain("[string]");
    expect((await pod("exec --help")).out).toMatch(/--replica +Which replica, by number +\[default: 1\]/);
  });

  it("puts what names the pod under Pod:, and only pod's global options under Options:", async () => {
    const help = (await pod("up --help")).out;
    expect(group(help, "Pod:").map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(["--name", "--replicas", "-p, --publish"]);
    const options = group(help, "Options:").map((l) => l.trim().replace(/^-\w, /, "").split(/\s+/)[0]);
    expect(options).toEqual(["--host", "--context", "--debug", "--version", "--help"]);
    expect(help.indexOf("Pod:")).toBeLessThan(help.indexOf("Replicas:"));
    expect(help.indexOf("Change:")).toBeLessThan(help.indexOf("Options:"));
  });

  it("names a --balance's values", async () => {
    expect((await pod("up --help")).out).toMatch(/--balance .*\[choices: "reuseport", "dnat"\]/s);
  });
});

describe("completion", () => {
  async function complete(line: string) {
    // The shell passes the word being completed, "" included.
    return (await pod(["__complete", "--", ...line.split(" ")])).out.split("\n").filter(Boolean);
  }
  beforeEach(async () => {
    expect((await pod("up --replicas 1 -p 80:8080 web")).code).toBe(0);
    expect((await pod("scale web 2")).code).toBe(0);
    expect((await pod("scale web 3")).code).toBe(0);
  });

  it("never offers the hidden __complete", async () => {
    expect(await complete("")).not.toContain("__complete");
    expect(await complete("_")).toEqual([]);
  });

  it.each(["ps", "logs", "exec", "down", "rollback", "history", "inspect", "stats", "export", "set", "scale", "restart"])("completes pod names after %s", async (cmd) => {
    expect(await complete(`${cmd} w`)).toEqual(["web"]);
  });

  it("completes the values an option names", async () => {
    expect(await complete("up --balance ")).toEqual(["dnat", "reuseport"]);
    expect(await complete("up --spread r")).toEqual(["random", "round-robin"]);
    expect(await complete("export web --to k")).toEqual(["kubernetes"]);
    expect(await complete("agent s")).toEqual(["start", "status", "stop", "systemd"]);
  });

  it("completes rollback --to with the generations it can go back to", async () => {
    // generations 1, 2, 3: 3 is current
    expect(await complete("rollback web --to ")).toEqual(["1", "2"]);
  });

  it("reads an option's value as its value, not as the command word", () => {
    const shapes = [{ name: "logs", aliases: [], describe: "", options: new Set(["tail", "since"]), flags: new Set<string>(), choices: new Map(), takesPod: true, positionalChoices: [null, null] }];
    expect(completing(["logs", "web", "--tail", "5", ""], shapes)).toMatchObject({ kind: "positional", index: 1, pod: "web" });
    expect(completing(["-H", "unix:///x", "logs", ""], shapes)).toMatchObject({ kind: "positional", index: 0 });
    expect(candidates(["logs", "--since", ""], shapes, { pods: () => ["web"], generations: () => [] })).toEqual([]);
  });
});
