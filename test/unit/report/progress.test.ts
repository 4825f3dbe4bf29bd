// Pull progress: the engine's stream folded into a bar, plain lines and NDJSON objects.
// pull-stream.ndjson is what Docker 20.10 answered to POST /images/create for an image with
// one layer present and one of 3 MB to fetch (from the e2e registry).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { foldPull, formatBytes, pullBar, pullJson, pullLines, startPull, type PullChange, type PullEvent, type PullProgress } from "../../../src/report/progress.js";
import { JsonReporter, PlainReporter } from "../../../src/report/reporter.js";

const IMAGE = "127.0.0.1:5000/team/web:1.0";

/** As the engine adapter hands them on: progressDetail flattened. */
function flatten(line: string): PullEvent {
  const raw = JSON.parse(line) as { id?: string; status: string; progressDetail?: { current?: number; total?: number } };
  return { ...(raw.id ? { id: raw.id } : {}), status: raw.status, ...raw.progressDetail };
}

function foldAll(events: PullEvent[]): { progress: PullProgress; changes: PullChange[]; bars: string[] } {
  let progress = startPull(IMAGE);
  const changes: PullChange[] = [];
  const bars: string[] = [];
  for (const e of events) {
    const next = foldPull(progress, e);
    progress = next.progress;
    changes.push(...next.changes);
    bars.push(pullBar(progress));
  }
  return { progress, changes, bars };
}

const layer = (id: string, status: string, current?: number, total?: number): PullEvent => ({ id, status, ...(current !== undefined ? { current, total } : {}) });

/** Two layers to fetch, one present, many chunks each: what a real pull of a bigger image looks like. */
const BIG: PullEvent[] = [
  { id: "1.0", status: "Pulling from team/web" },
  layer("aaa", "Already exists"),
  layer("bbb", "Pulling fs layer"),
  layer("ccc", "Pulling fs layer"),
  layer("bbb", "Waiting"),
  ...Array.from({ length: 50 }, (_, i) => layer("ccc", "Downloading", (i + 1) * 20_000, 1_000_000)),
  layer("bbb", "Downloading", 1_000, 3_000_000),
  layer("ccc", "Verifying Checksum"),
  layer("ccc", "Download complete"),
  ...Array.from({ length: 30 }, (_, i) => layer("bbb", "Downloading", (i + 1) * 100_000, 3_000_000)),
  layer("bbb", "Download complete"),
  layer("ccc", "Extracting", 500_000, 1_000_000),
  layer("ccc", "Pull complete"),
  layer("bbb", "Extracting", 3_000_000, 3_000_000),
  layer("bbb", "Pull complete"),
  { status: "Digest: sha256:e75e2ce35790039b82b26693db71aec74afb9402df42c763b2fb5a6d566d9fca" },
  { status: `Status: Downloaded newer image for ${IMAGE}` },
];

describe("foldPull", () => {
  it("the recorded stream: one layer present, one fetched, then the digest", () => {
    const events = readFileSync(new URL("./pull-stream.ndjson", import.meta.url), "utf8").trim().split("\n").map(flatten);
    const { progress, changes } = foldAll(events);
    expect(progress.outcome).toBe("downloaded");
    expect(progress.digest).toBe("sha256:e75e2ce35790039b82b26693db71aec74afb9402df42c763b2fb5a6d566d9fca");
    expect(progress.layers).toEqual([
      { id: "a39ef641a0fc", phase: "exists", current: 0, total: null },
      { id: "218379443be3", phase: "done", current: 3001126, total: 3001126 },
    ]);
    expect(pullLines(progress, changes)).toEqual([
      `pulling ${IMAGE}`,
      "  layer a39ef641a0fc already exists",
      "  layer 218379443be3 pulled, 3.00 MB",
      `pulled ${IMAGE}: 2 layers, 3.00 MB, sha256:e75e2ce35790039b82b26693db71aec74afb9402df42c763b2fb5a6d566d9fca`,
    ]);
  });

  it("a phase change is a change; a byte count is not", () => {
    const { changes } = foldAll(BIG);
    const layerChanges = changes.filter((c) => c.kind === "layer").map((c) => c.kind === "layer" && `${c.layer} ${c.phase}`);
    expect(layerChanges).toEqual([
      "aaa exists",
      "bbb waiting",
      "ccc waiting",
      "ccc downloading",
      "bbb downloading",
      "ccc downloaded",
      "bbb downloaded",
      "ccc extracting",
      "ccc done",
      "bbb extracting",
      "bbb done",
    ]);
    expect(changes[0]).toEqual({ kind: "begin" });
    expect(changes.at(-1)).toEqual({ kind: "done", outcome: "downloaded", digest: expect.stringMatching(/^sha256:/), bytes: 4_000_000, layers: 3 });
  });

  it("an image already there ends up to date, with no layer lines", () => {
    const { progress, changes } = foldAll([
      { id: "1.0", status: "Pulling from team/web" },
      { status: "Digest: sha256:abc" },
      { status: `Status: Image is up to date for ${IMAGE}` },
    ]);
    expect(pullLines(progress, changes)).toEqual([`pulling ${IMAGE}`, `image ${IMAGE} is up to date (sha256:abc)`]);
  });

  it("a terminal's end line carries the digest short, a log's in full", () => {
    const { progress, changes } = foldAll(BIG);
    const end = changes.filter((c) => c.kind === "done");
    expect(pullLines(progress, end, { shortDigest: true })).toEqual([`pulled ${IMAGE}: 3 layers, 4.00 MB, sha256:e75e2ce35790`]);
    expect(pullLines(progress, end)[0]).toContain("sha256:e75e2ce35790039b82b26693db71aec74afb9402df42c763b2fb5a6d566d9fca");
  });

  it("ignores what it does not know, and never takes the tag for a layer", () => {
    const { progress, changes } = foldAll([{ id: "1.0", status: "Pulling from team/web" }, layer("x", "Something new"), { status: "" }]);
    expect(progress.layers).toEqual([]);
    expect(changes).toEqual([{ kind: "begin" }]);
  });

  it("a retry keeps the layer downloading; bytes never run backwards past a finished layer", () => {
    const { progress } = foldAll([layer("a", "Downloading", 500, 1000), layer("a", "Retrying in 5 seconds"), layer("a", "Downloading", 100, 1000)]);
    expect(progress.layers[0]).toEqual({ id: "a", phase: "downloading", current: 100, total: 1000 });
  });

  it("does not change the state it was given", () => {
    const before = startPull(IMAGE);
    const copy = structuredClone(before);
    foldPull(before, layer("a", "Downloading", 1, 2));
    expect(before).toEqual(copy);
  });
});

describe("pullBar: the terminal's one line", () => {
  it.each([
    ["before any layer", [], `pulling ${IMAGE}`],
    ["every layer present", [layer("a", "Already exists"), layer("b", "Already exists")], `pulling ${IMAGE}: 2/2 layers`],
    ["nothing downloaded yet, sizes unknown", [layer("a", "Pulling fs layer")], `pulling ${IMAGE} [                    ] 0 B/0 B+, 0/1 layers`],
    ["a quarter", [layer("a", "Downloading", 250_000, 1_000_000)], `pulling ${IMAGE} [====>               ] 250 kB/1.00 MB, 0/1 layers`],
    ["one layer's size still unknown", [layer("a", "Downloading", 500_000, 1_000_000), layer("b", "Pulling fs layer")], `pulling ${IMAGE} [=========>          ] 500 kB/1.00 MB+, 0/2 layers`],
    ["downloaded, extracting", [layer("a", "Downloading", 10, 1_000_000), layer("a", "Download complete"), layer("a", "Extracting", 1, 1_000_000)], `pulling ${IMAGE} [====================] 1.00 MB/1.00 MB, 0/1 layers, extracting`],
  ])("%s", (_name, events, line) => {
    expect(foldAll(events as PullEvent[]).bars.at(-1) ?? pullBar(startPull(IMAGE))).toBe(line);
  });

  it("its bytes only grow as chunks come, on one line", () => {
    const { bars } = foldAll(BIG);
    const done = bars.map((b) => /\] ([\d.]+ k?M?B)\//.exec(b)?.[1] ?? "0 B").map((t) => Number(t.split(" ")[0]) * ({ B: 1, kB: 1e3, MB: 1e6 } as Record<string, number>)[t.split(" ")[1]!]!);
    for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThanOrEqual(done[i - 1]!);
    expect(done.at(-1)).toBe(4_000_000);
    expect(bars.every((b) => !b.includes("\n"))).toBe(true);
    expect(bars.at(-2)).toBe(`pulling ${IMAGE} [====================] 4.00 MB/4.00 MB, 3/3 layers`);
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.00 kB"],
    [36_450, "36.5 kB"],
    [3_001_126, "3.00 MB"],
    [123_456_789, "123 MB"],
    [5e12, "5.00 TB"],
  ])("%d is %s", (n, text) => expect(formatBytes(n)).toBe(text));
});

describe("the reporters", () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
  }

  it("plain: a line per finished layer on stderr, never one per chunk, nothing on stdout", () => {
    const c = capture();
    const r = new PlainReporter(c.output);
    for (const e of BIG) r.pull(IMAGE, e);
    expect(c.out).toEqual([]);
    expect(c.err).toEqual([
      `pulling ${IMAGE}`,
      "  layer aaa already exists",
      "  layer ccc pulled, 1.00 MB",
      "  layer bbb pulled, 3.00 MB",
      `pulled ${IMAGE}: 3 layers, 4.00 MB, sha256:e75e2ce35790039b82b26693db71aec74afb9402df42c763b2fb5a6d566d9fca`,
    ]);
  });

  it("json: an object per layer phase and the end, on stdout", () => {
    const c = capture();
    const r = new JsonReporter(c.output);
    for (const e of BIG) r.pull(IMAGE, e);
    const objects = c.out.map((l) => JSON.parse(l));
    expect(objects).toHaveLength(1 + 11 + 1);
    expect(objects[0]).toEqual({ event: "pull", image: IMAGE, state: "started" });
    expect(objects[1]).toEqual({ event: "pull", image: IMAGE, layer: "aaa", state: "exists", bytes: null });
    expect(objects.at(-1)).toEqual({ event: "pull", image: IMAGE, state: "downloaded", digest: expect.stringMatching(/^sha256:/), bytes: 4_000_000, layers: 3 });
    expect(pullJson(startPull(IMAGE), [])).toEqual([]);
  });

  it("two pulls at once keep apart, and a finished pull starts afresh", () => {
    const c = capture();
    const r = new PlainReporter(c.output);
    r.pull("a:1", layer("x", "Already exists"));
    r.pull("b:1", layer("x", "Pulling fs layer"));
    r.pull("a:1", { status: "Status: Image is up to date for a:1" });
    r.pull("a:1", layer("x", "Already exists"));
    expect(c.err).toEqual(["pulling a:1", "  layer x already exists", "pulling b:1", "image a:1 is up to date", "pulling a:1", "  layer x already exists"]);
  });
});
