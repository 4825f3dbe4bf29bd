// Pull progress as people and programs read it, folded from the engine's progress stream
// (one JSON object per layer and step, as `docker pull` gets it). Pure: the reporters keep
// the state and print; this decides what a terminal line, a plain line or an NDJSON object says.

/** One message of the engine's pull stream, flattened: `progressDetail` holds current and total. */
export interface PullEvent {
  /** The layer's short id; the tag for "Pulling from …"; absent for "Digest:" and "Status:". */
  id?: string;
  status: string;
  current?: number;
  total?: number;
}

export type LayerPhase = "waiting" | "downloading" | "downloaded" | "extracting" | "done" | "exists";

export interface LayerProgress {
  id: string;
  phase: LayerPhase;
  /** Bytes downloaded so far. */
  current: number;
  /** The compressed size, once the engine says it (small layers may never say). */
  total: number | null;
}

export interface PullProgress {
  image: string;
  /** In the order the engine named them. */
  layers: LayerProgress[];
  digest: string | null;
  /** "downloaded" (a newer image), "up to date", or null while it runs. */
  outcome: "downloaded" | "up to date" | null;
  /** Whether any event arrived: the first one says the pull began. */
  begun: boolean;
}

/** What changed with one event: a layer reaching a new phase, or the pull ending. */
export type PullChange =
  | { kind: "begin" }
  | { kind: "layer"; layer: string; phase: LayerPhase; bytes: number | null }
  | { kind: "done"; outcome: "downloaded" | "up to date"; digest: string | null; bytes: number; layers: number };

const LAYER_PHASES: Record<string, LayerPhase> = {
  "Pulling fs layer": "waiting",
  Waiting: "waiting",
  Downloading: "downloading",
  "Verifying Checksum": "downloading",
  "Download complete": "downloaded",
  Extracting: "extracting",
  "Pull complete": "done",
  "Already exists": "exists",
};

export function startPull(image: string): PullProgress {
  return { image, layers: [], digest: null, outcome: null, begun: false };
}

/** The next state and what changed. Byte counts arrive many times a second and change no phase. */
export function foldPull(p: PullProgress, e: PullEvent): { progress: PullProgress; changes: PullChange[] } {
  if (!p.begun) {
    const next = foldPull({ ...p, begun: true }, e);
    return { progress: next.progress, changes: [{ kind: "begin" }, ...next.changes] };
  }
  const status = e.status ?? "";
  if (status.startsWith("Digest: ")) return { progress: { ...p, digest: status.slice("Digest: ".length).trim() }, changes: [] };
  if (status.startsWith("Status: ")) {
    const outcome = /up to date/i.test(status) ? "up to date" : "downloaded";
    const done: PullChange = { kind: "done", outcome, digest: p.digest, bytes: bytesDone(p.layers), layers: p.layers.length };
    return { progress: { ...p, outcome }, changes: [done] };
  }
  // "Retrying in 5 seconds" keeps the layer where it was.
  const phase = LAYER_PHASES[status] ?? (status.startsWith("Retrying") ? "downloading" : undefined);
  if (phase === undefined || !e.id) return { progress: p, changes: [] };

  const index = p.layers.findIndex((l) => l.id === e.id);
  const before: LayerProgress = index >= 0 ? p.layers[index]! : { id: e.id, phase: "waiting", current: 0, total: null };
  const layer: LayerProgress = { ...before, phase };
  if (phase === "downloading" && status === "Downloading") {
    if (typeof e.current === "number") layer.current = e.current;
    if (typeof e.total === "number" && e.total > 0) layer.total = e.total;
  }
  if ((phase === "downloaded" || phase === "extracting" || phase === "done") && layer.total !== null) layer.current = layer.total;
  const layers = index >= 0 ? p.layers.map((l, i) => (i === index ? layer : l)) : [...p.layers, layer];
  const changes: PullChange[] = index < 0 || before.phase !== phase ? [{ kind: "layer", layer: e.id, phase, bytes: layer.total }] : [];
  return { progress: { ...p, layers }, changes };
}

function bytesDone(layers: LayerProgress[]): number {
  return layers.reduce((sum, l) => sum + (l.phase === "exists" ? 0 : l.current), 0);
}

/** Decimal units as `docker pull` shows them: 512 B, 12.3 MB. */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** (a) The terminal's one line: a bar over the bytes of every layer whose size is known. */
export function pullBar(p: PullProgress, width = 20): string {
  const fetched = p.layers.filter((l) => l.phase !== "exists");
  const finished = p.layers.filter((l) => l.phase === "done" || l.phase === "exists").length;
  const layers = `${finished}/${p.layers.length} layers`;
  if (p.layers.length === 0) return `pulling ${p.image}`;
  if (fetched.length === 0) return `pulling ${p.image}: ${layers}`;
  const total = fetched.reduce((sum, l) => sum + (l.total ?? 0), 0);
  const done = bytesDone(fetched);
  // A layer of unknown size counts once it is downloaded, so the bar never runs backwards to 0.
  const unknown = fetched.some((l) => l.total === null && (l.phase === "waiting" || l.phase === "downloading"));
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  const bar = filled >= width ? "=".repeat(width) : `${"=".repeat(Math.max(0, filled - 1))}${filled > 0 ? ">" : ""}${" ".repeat(width - filled)}`;
  const extracting = fetched.some((l) => l.phase === "extracting") ? ", extracting" : "";
  return `pulling ${p.image} [${bar}] ${formatBytes(done)}/${formatBytes(total)}${unknown ? "+" : ""}, ${layers}${extracting}`;
}

/** `sha256:` and 12 hex digits, as `docker images` shows ids: a terminal line must fit. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(":");
  return colon < 0 ? digest : digest.slice(0, colon + 13);
}

/** (b) Lines for a pipe or CI: the start, one per layer as it finishes, and the end (its full digest, for the log). */
export function pullLines(p: PullProgress, changes: PullChange[], o: { shortDigest?: boolean } = {}): string[] {
  const lines: string[] = [];
  const digestOf = (d: string) => (o.shortDigest ? shortDigest(d) : d);
  for (const c of changes) {
    if (c.kind === "begin") {
      lines.push(`pulling ${p.image}`);
    } else if (c.kind === "done") {
      if (c.outcome === "up to date") lines.push(`image ${p.image} is up to date${c.digest ? ` (${digestOf(c.digest)})` : ""}`);
      else lines.push(`pulled ${p.image}: ${c.layers} layer${c.layers === 1 ? "" : "s"}, ${formatBytes(c.bytes)}${c.digest ? `, ${digestOf(c.digest)}` : ""}`);
    } else if (c.phase === "done") {
      lines.push(`  layer ${c.layer} pulled${c.bytes !== null ? `, ${formatBytes(c.bytes)}` : ""}`);
    } else if (c.phase === "exists") {
      lines.push(`  layer ${c.layer} already exists`);
    }
  }
  return lines;
}

/** (c) NDJSON objects for --json: each layer's phases and the end, never a byte count per chunk. */
export function pullJson(p: PullProgress, changes: PullChange[]): object[] {
  return changes.map((c) =>
    c.kind === "begin"
      ? { event: "pull", image: p.image, state: "started" }
      : c.kind === "done"
        ? { event: "pull", image: p.image, state: c.outcome, digest: c.digest, bytes: c.bytes, layers: c.layers }
        : { event: "pull", image: p.image, layer: c.layer, state: c.phase, bytes: c.bytes },
  );
}
