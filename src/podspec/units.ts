// Compose's units: durations as Go writes them (1m30s, 1.5h, 500ms, plus d and w as
// compose-go's str2duration adds) and sizes as docker's go-units reads memory (512m, 1.5g, 2GiB).

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  "µs": 1e-6,
  "μs": 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** Seconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  if (text === "0" || text === "+0" || text === "-0") return 0;
  const match = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d|w))+)$/u.exec(text);
  if (!match) return null;
  let seconds = 0;
  for (const part of match[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)/gu)) {
    seconds += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  }
  return match[1] === "-" ? -seconds : seconds;
}

/** Go's time.Duration String() for whole seconds: 90 → "1m30s", 0 → "0s". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: binary multiples, optional i and b; bytes, or null when not a size. */
export function parseBytes(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!match) return null;
  return Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? "").toLowerCase()]!);
}

/** The shortest exact form: 536870912 → "512m", 1000 → "1000b"; read back by parseBytes and docker. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}
