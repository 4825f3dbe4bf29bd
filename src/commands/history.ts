import type { CommandModule } from "yargs";
import { notFound } from "../errors.js";
import type { Deps, RunState } from "./shared/deps.js";
import { readPod } from "../state/snapshot.js";
import { formatAge, formatTable } from "../report/format.js";
import { diffSpecs, summarizeChange } from "../podspec/diff.js";
import { parsePodName } from "../podspec/parse.js";
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

/** Why a failed change failed, on a line of its own under its row, so it widens no column. */
const ERROR_WIDTH = 160;

/** A record's cause "rollback to 3" names a generation; beside "scale to 5" it would read as three replicas. */
function byText(cause: string): string {
  return cause.replace(/^rollback to (\d+)$/, "rollback to generation $1");
}

export function formatHistory(rows: HistoryRow[], nowMs: number): string {
  const lines = formatTable([
    ["GEN", "WHEN", "IMAGE", "CHANGE", "STATUS", "BY"],
    ...rows.map((r) => [
      String(r.generation),
      `${formatAge((nowMs - Date.parse(r.at)) / 1000)} ago`,
      `${r.image} (${shortDigest(r.digest ?? r.imageId)})`,
      r.changes,
      r.current ? "current" : r.status,
      byText(r.cause),
    ]),
  ]).split("\n");
  return [
    lines[0]!,
    ...rows.flatMap((r, i) => {
      if (r.status !== "failed" || !r.error) return [lines[i + 1]!];
      const error = r.error.replace(/\s+/g, " ");
      return [lines[i + 1]!, `      why: ${error.length > ERROR_WIDTH ? `${error.slice(0, ERROR_WIDTH - 1)}…` : error}`];
    }),
  ].join("\n");
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
      reporter.result(formatHistory(rows, deps.clock.now()), rows);
    },
  };
}
