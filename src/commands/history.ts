import type { CommandModule } from "yargs";
import { notFound } from "../errors.js";
import type { Deps, RunState } from "../cli/deps.js";
import { readPod } from "../state/snapshot.js";
import { formatAge, formatTable } from "../report/format.js";
import { diffSpecs, summarizeChange } from "../spec/diff.js";
import { parsePodName } from "../spec/parse.js";
import { podExists } from "../state/observe.js";
import type { Generation, PodRecord } from "../state/record.js";

interface HistoryArgs {
  name: string;
  json: boolean;
  host?: string;
  context?: string;
}

export interface HistoryRow {
  generation: number;
  at: string;
  image: string;
  imageId: string;
  /** What ran, pinned: `repo@sha256:…`, or the image id for a local build; null in older records. */
  digest: string | null;
  changes: string;
  status: string;
  current: boolean;
  cause: string;
  error: string | null;
}

/** Newest first; what each generation changed from the successful one before it. */
export function historyRows(record: PodRecord): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let before: Generation | null = null;
  for (const g of record.history) {
    rows.push({
      generation: g.number,
      at: g.at,
      image: g.spec.replica.image,
      imageId: g.spec.replica.imageId,
      digest: g.spec.replica.digest ?? null,
      changes: before ? summarizeChange(diffSpecs(before.spec, g.spec)) : "created",
      status: g.status,
      current: g.number === record.generation,
      cause: g.cause,
      error: g.error ?? null,
    });
    if (g.status === "ok") before = g;
  }
  return rows.reverse();
}

/** `sha256:…` or `repo@sha256:…`: the first twelve hex digits, as docker shows ids. */
function shortDigest(digest: string): string {
  return digest.slice(digest.lastIndexOf(":") + 1, digest.lastIndexOf(":") + 13);
}

export function historyCommand(deps: Deps, state: RunState): CommandModule<object, HistoryArgs> {
  return {
    command: "history <name>",
    describe: "List a pod's generations, newest first: when, image, what changed, whether current",
    builder: (y) =>
      y
        .positional("name", { type: "string", demandOption: true })
        .option("json", { type: "boolean", default: false, describe: "A JSON array" })
        .example("$0 history web", "the generations of pod web"),
    handler: async (args) => {
      const reporter = (state.reporter = await deps.reporter(args.json ? "document" : "human"));
      const name = parsePodName(args.name);
      const pod = await readPod(deps.engine(args), name);
      if (!podExists(pod) || !pod.record) throw notFound(name);
      const rows = historyRows(pod.record);
      const now = deps.clock.now();
      const text = formatTable([
        ["GEN", "WHEN", "IMAGE", "CHANGE", "STATUS", "BY"],
        ...rows.map((r) => [
          String(r.generation),
          `${formatAge((now - Date.parse(r.at)) / 1000)} ago`,
          `${r.image} (${shortDigest(r.digest ?? r.imageId)})`,
          r.changes,
          r.current ? "current" : r.status === "failed" ? `failed: ${r.error ?? ""}` : r.status,
          r.cause,
        ]),
      ]);
      reporter.result(text, rows);
    },
  };
}
