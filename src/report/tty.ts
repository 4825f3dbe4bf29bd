// A spinner for what is under way, a line for each group of actions when it ends. ora is
// loaded only here, only on a terminal.
import ora, { type Ora } from "ora";
import type { FlowEvent } from "../plan/events.js";
import type { Output } from "./output.js";
import { pullBar, pullLines, type PullEvent } from "./progress.js";
import { PlainReporter, seconds } from "./reporter.js";

export class TtyReporter extends PlainReporter {
  private readonly spinner: Ora;
  private readonly progress = new Map<string, string>();

  constructor(output: Output, stream: NodeJS.WriteStream) {
    super(output);
    this.spinner = ora({ stream, discardStdin: false });
  }

  private refresh(): void {
    const lines = [...this.pulls.active().map((p) => pullBar(p)), ...this.groups.activeLines().map((l) => this.progress.get(l) ?? l)];
    if (lines.length === 0) this.spinner.stop();
    else {
      this.spinner.text = lines.join("; ");
      if (!this.spinner.isSpinning) this.spinner.start();
    }
  }

  override event(e: FlowEvent): void {
    if (e.type === "note" || e.type === "warn" || e.type === "pull") return super.event(e);
    if (e.type === "action-start") this.groups.start(e.action, e.step);
    if (e.type === "action-progress") {
      const line = this.groups.lineOf(e.action, e.step);
      if (line) this.progress.set(line, `${line}: ${e.text}`);
    }
    if (e.type === "action-done" || e.type === "action-failed") {
      const ended = this.groups.end(e.action, e.step, e.ms, e.type === "action-failed");
      if (ended) {
        this.progress.delete(ended.line);
        this.spinner.stop();
        this.spinner.stopAndPersist(ended.failed ? { symbol: "✖", text: ended.line } : { symbol: "✔", text: `${ended.line} ${seconds(ended.ms)}` });
      }
    }
    this.refresh();
  }
  /** A bar while it runs (refresh), one line when it ends: a terminal needs no line per layer. */
  override pull(image: string, e: PullEvent): void {
    const { progress, changes } = this.pulls.advance(image, e);
    const done = changes.filter((c) => c.kind === "done");
    if (done.length > 0) {
      this.spinner.stop();
      this.spinner.stopAndPersist({ symbol: "✔", text: pullLines(progress, done, { shortDigest: true }).join("; ") });
    }
    this.refresh();
  }
  override note(text: string): void {
    this.spinner.stop();
    super.note(text);
    this.refresh();
  }
  override warn(text: string): void {
    this.spinner.stop();
    super.warn(text);
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
