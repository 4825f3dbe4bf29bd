// The one place that prints. The executor and commands emit events and results; a reporter
// turns them into a spinner (a terminal), plain lines (pipes, CI, NO_COLOR) or NDJSON
// (--json). Progress goes to stderr, results to stdout; in JSON mode stdout carries events
// and the result only.
import type { PullProgress as EnginePullLine } from "../engine/types.js";
import type { FlowEvent } from "../plan/events.js";
import { containerNames, replicaNumbers, stepLines, type Action } from "../plan/actions.js";
import { ExitStatus } from "../errors.js";
import { errorObject, formatError } from "./errors.js";
import type { Output } from "./output.js";
import { foldPull, pullJson, pullLines, startPull, type PullChange, type PullEvent, type PullProgress } from "./progress.js";

export interface Reporter {
  event(e: FlowEvent): void;
  /** One message of an image pull's progress stream; the reporter folds them (report/progress.ts). */
  pull(image: string, e: PullEvent): void;
  note(text: string): void;
  warn(text: string): void;
  /** The command's answer: text for people, the object for --json. */
  result(text: string, json?: unknown): void;
  error(err: unknown, debug: boolean): void;
  close(): void;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The actions of one step that share a kind and a reason: they start, run and end together as one line. */
interface Group {
  actions: Action[];
  pending: number;
  failed: boolean;
  ms: number;
}

/** Folds a step's actions into groups, so progress is one line per group however many replicas. */
class Groups {
  private readonly groups = new Map<string, Group>();

  private key(a: Action, step: number): string {
    return `${step}\n${a.kind}\n${a.reason}`;
  }

  start(a: Action, step: number): void {
    const key = this.key(a, step);
    const g = this.groups.get(key) ?? { actions: [], pending: 0, failed: false, ms: 0 };
    g.actions.push(a);
    g.pending++;
    this.groups.set(key, g);
  }

  /** The group's line once its last action ended, else null. */
  end(a: Action, step: number, ms: number, failed: boolean): { line: string; failed: boolean; ms: number } | null {
    const key = this.key(a, step);
    const g = this.groups.get(key);
    if (!g) return null;
    g.pending--;
    g.failed ||= failed;
    g.ms = Math.max(g.ms, ms);
    if (g.pending > 0) return null;
    this.groups.delete(key);
    return { line: stepLines(g.actions)[0]!, failed: g.failed, ms: g.ms };
  }

  /** The line of the group `a` belongs to, while it runs. */
  lineOf(a: Action, step: number): string | null {
    const g = this.groups.get(this.key(a, step));
    return g ? stepLines(g.actions)[0]! : null;
  }

  activeLines(): string[] {
    return [...this.groups.values()].map((g) => stepLines(g.actions)[0]!);
  }
}

/** Each running pull's state, folded one event at a time; a pull is forgotten once it ends. */
export class Pulls {
  private readonly running = new Map<string, PullProgress>();

  advance(image: string, e: PullEvent): { progress: PullProgress; changes: PullChange[] } {
    const next = foldPull(this.running.get(image) ?? startPull(image), e);
    if (next.progress.outcome !== null) this.running.delete(image);
    else this.running.set(image, next.progress);
    return next;
  }

  active(): PullProgress[] {
    return [...this.running.values()];
  }
}

/** The engine's progress line as the fold reads it. */
export function pullEvent(p: EnginePullLine): PullEvent {
  return { ...(p.id ? { id: p.id } : {}), status: p.status, ...(p.current !== null ? { current: p.current } : {}), ...(p.total !== null ? { total: p.total } : {}) };
}

export class PlainReporter implements Reporter {
  protected readonly groups = new Groups();
  protected readonly pulls = new Pulls();

  constructor(protected readonly output: Output) {}

  event(e: FlowEvent): void {
    switch (e.type) {
      case "note":
        return this.note(e.text);
      case "warn":
        return this.warn(e.text);
      case "pull":
        return this.pull(e.image, pullEvent(e.progress));
      case "action-start":
        return this.groups.start(e.action, e.step);
      case "action-progress":
        return;
      case "action-done":
      case "action-failed": {
        const ended = this.groups.end(e.action, e.step, e.ms, e.type === "action-failed");
        if (ended) this.output.err(ended.failed ? `✖ ${ended.line}` : `✔ ${ended.line} ${seconds(ended.ms)}`);
      }
    }
  }
  pull(image: string, e: PullEvent): void {
    const { progress, changes } = this.pulls.advance(image, e);
    for (const line of pullLines(progress, changes)) this.output.err(line);
  }
  note(text: string): void {
    this.output.err(text);
  }
  warn(text: string): void {
    this.output.err(`warning: ${text}`);
  }
  result(text: string): void {
    if (text !== "") this.output.out(text);
  }
  error(err: unknown, debug: boolean): void {
    if (err instanceof ExitStatus) return; // the command said what it had to say
    for (const line of formatError(err, debug)) this.output.err(line);
  }
  close(): void {}
}

/** NDJSON on stdout: one object per event, then the result; errors as an object too. */
export class JsonReporter implements Reporter {
  constructor(private readonly output: Output) {}

  private line(o: unknown): void {
    this.output.out(JSON.stringify(o));
  }

  event(e: FlowEvent): void {
    if (e.type === "note" || e.type === "warn") return this.line({ event: e.type === "note" ? "note" : "warning", message: e.text });
    if (e.type === "pull") return this.pull(e.image, pullEvent(e.progress));
    const a = e.action;
    const replicas = replicaNumbers(a);
    const containers = containerNames(a);
    const state = { "action-start": "started", "action-progress": "waiting", "action-done": "done", "action-failed": "failed" }[e.type];
    this.line({
      event: "action",
      step: e.step,
      action: a.kind,
      reason: a.reason,
      replicas,
      containers,
      state,
      ...("ms" in e ? { seconds: Math.round(e.ms) / 1000 } : {}),
      ...(e.type === "action-progress" ? { progress: e.text } : {}),
      ...(e.type === "action-failed" ? { error: e.error.message } : {}),
    });
  }
  private readonly pulls = new Pulls();

  pull(image: string, e: PullEvent): void {
    const { progress, changes } = this.pulls.advance(image, e);
    for (const o of pullJson(progress, changes)) this.line(o);
  }
  note(text: string): void {
    this.line({ event: "note", message: text });
  }
  warn(text: string): void {
    this.line({ event: "warning", message: text });
  }
  result(_text: string, json?: unknown): void {
    this.line({ event: "result", ...(json as object) });
  }
  error(err: unknown, debug: boolean): void {
    this.line({ event: "error", ...errorObject(err) });
    for (const line of formatError(err, debug)) this.output.err(line);
  }
  close(): void {}
}

/** A query's --json (ps, history, inspect): the document alone, pretty, on stdout. */
export class DocumentReporter extends PlainReporter {
  override event(): void {}
  override pull(): void {}
  override note(): void {}
  override result(_text: string, json?: unknown): void {
    this.output.out(JSON.stringify(json, null, 2));
  }
}
