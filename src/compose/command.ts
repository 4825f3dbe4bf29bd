// `command:` and `entrypoint:`: a list as written, a string split as Compose splits it
// (shell words, no shell).
import type { Diagnostics, Path } from "./context.js";
import { scalar } from "./context.js";
import type { Json } from "./interpolate.js";
import { shellSplit, ShellwordsError } from "./shellwords.js";

function words(d: Diagnostics, path: Path, raw: Json): string[] {
  if (Array.isArray(raw)) return raw.map(scalar);
  try {
    return shellSplit(scalar(raw));
  } catch (err) {
    if (err instanceof ShellwordsError) {
      d.fail(path, `cannot split ${JSON.stringify(raw)} into arguments: ${err.message}`, `write a list, e.g. ["sh", "-c", ${JSON.stringify(scalar(raw))}] for a shell line`);
    }
    throw err;
  }
}

export function entrypoint(d: Diagnostics, path: Path, raw: Json | undefined): string[] | null {
  if (raw === undefined || raw === null) return null;
  const list = words(d, path, raw);
  // [] or "" clears the image's entrypoint, as `--entrypoint ""` does.
  return list.length === 0 ? [""] : list;
}

export function command(d: Diagnostics, path: Path, raw: Json | undefined): string[] {
  if (raw === undefined || raw === null) return [];
  const list = words(d, path, raw);
  if (list.length === 0) d.warn(path, "an empty command runs the image's own CMD with pod (Compose would run none)");
  return list;
}
