// The one place that prints. The executor and commands emit events and results; a reporter
// turns them into a spinner (a terminal), plain lines (pipes, CI, NO_COLOR) or nothing but
// the result (--json). Progress goes to stderr, results to stdout.
import ora, { type Ora } from "ora";
import { ChangeFailedError, NotReadyError, PodError } from "./errors.js";
import type { ExecEvent } from "./execute.js";
import { describeAction } from "./plan.js";

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

export interface Reporter {
  event(e: ExecEvent): void;
  note(text: string): void;
  warn(text: string): void;
  result(text: string): void;
  error(err: unknown, debug: boolean): void;
  close(): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The error as users read it: one line (what, why; what to do), then any diagnosis. */
export function formatError(err: unknown, debug: boolean): string[] {
  if (!(err instanceof PodError)) {
    const e = err as Error;
    return [`pod: unexpected error: ${e?.message ?? String(err)}`, ...(debug && e?.stack ? [e.stack] : [])];
  }
  const lines = [`pod: ${err.message}${err.hint ? `; ${err.hint}` : ""}`];
  const cause = err instanceof ChangeFailedError ? err.cause : err;
  if (cause instanceof NotReadyError) {
    if (cause !== err) lines.push(`  ${cause.message}${cause.hint ? `; ${cause.hint}` : ""}`);
    lines.push(...cause.details.map((d) => `  ${d}`));
  } else if (cause !== err) {
    lines.push(`  cause: ${cause.message}${cause.hint ? `; ${cause.hint}` : ""}`);
  }
  if (debug && err.stack) lines.push(err.stack);
  return lines;
}

export class PlainReporter implements Reporter {
  constructor(protected readonly output: Output) {}

  event(e: ExecEvent): void {
    if (e.type === "action-done") this.output.err(`✔ ${describeAction(e.action)} ${seconds(e.ms)}`);
    if (e.type === "action-failed") this.output.err(`✖ ${describeAction(e.action)}`);
  }
  note(text: string): void {
    this.output.err(text);
  }
  warn(text: string): void {
    this.output.err(`warning: ${text}`);
  }
  result(text: string): void {
    this.output.out(text);
  }
  error(err: unknown, debug: boolean): void {
    for (const line of formatError(err, debug)) this.output.err(line);
  }
  close(): void {}
}

/** A spinner for what is under way; a line for each action when it ends. */
export class TtyReporter extends PlainReporter {
  private readonly spinner: Ora;
  private readonly active = new Map<unknown, string>();

  constructor(output: Output, stream: NodeJS.WriteStream) {
    super(output);
    this.spinner = ora({ stream, discardStdin: false });
  }

  private refresh(): void {
    const texts = [...this.active.values()];
    if (texts.length === 0) this.spinner.stop();
    else {
      this.spinner.text = texts.join("; ");
      if (!this.spinner.isSpinning) this.spinner.start();
    }
  }

  override event(e: ExecEvent): void {
    const text = describeAction(e.action);
    if (e.type === "action-start") this.active.set(e.action, text);
    if (e.type === "action-progress") this.active.set(e.action, `${text}: ${e.text}`);
    if (e.type === "action-done" || e.type === "action-failed") {
      this.active.delete(e.action);
      this.spinner.stop();
      if (e.type === "action-done") this.spinner.stopAndPersist({ symbol: "✔", text: `${text} ${seconds(e.ms)}` });
      else this.spinner.stopAndPersist({ symbol: "✖", text });
    }
    this.refresh();
  }
  override note(text: string): void {
    this.spinner.stop();
    super.note(text);
    this.refresh();
  }
  override error(err: unknown, debug: boolean): void {
    this.spinner.stop();
    super.error(err, debug);
  }
  override close(): void {
    this.spinner.stop();
  }
}

/** --json: the result alone on stdout; errors still one line on stderr. */
export class QuietReporter extends PlainReporter {
  override event(): void {}
  override note(): void {}
}

export function chooseReporter(json: boolean, environ: Record<string, string | undefined>, output: Output = processOutput): Reporter {
  if (json) return new QuietReporter(output);
  // A terminal that reports no width (some CI runners, `script`) would send ora's line
  // clearing into an endless loop: it divides by the width.
  const width = process.stderr.columns ?? 0;
  const tty = process.stderr.isTTY && width > 0 && !environ.CI && !environ.NO_COLOR && environ.TERM !== "dumb";
  return tty && output === processOutput ? new TtyReporter(output, process.stderr) : new PlainReporter(output);
}
