import { processOutput, type Output } from "./output.js";
import { DocumentReporter, JsonReporter, PlainReporter, type Reporter } from "./reporter.js";

/** How a command wants its output: progress for people, NDJSON events, or one JSON document. */
export type ReportMode = "human" | "events" | "document";

export async function chooseReporter(mode: ReportMode, environ: Record<string, string | undefined>, output: Output = processOutput()): Promise<Reporter> {
  if (mode === "events") return new JsonReporter(output);
  if (mode === "document") return new DocumentReporter(output);
  // A terminal that reports no width (some CI runners, `script`) would send ora's line
  // clearing into an endless loop: it divides by the width.
  const width = process.stderr.columns ?? 0;
  const tty = process.stderr.isTTY && width > 0 && !environ.CI && !environ.NO_COLOR && environ.TERM !== "dumb";
  if (!tty || output !== processOutput()) return new PlainReporter(output);
  const { TtyReporter } = await import("./tty.js");
  return new TtyReporter(output, process.stderr);
}
