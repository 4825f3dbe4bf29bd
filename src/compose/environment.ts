// A service's environment and labels: `env_file:` entries in order, later files overriding
// earlier ones, `environment:` overriding all; a KEY alone takes the project's value.
import { isAbsolute, join } from "node:path";
import { UsageError } from "../errors.js";
import { parseEnv, parseEnvFile, parseLabels } from "../podspec/parse.js";
import { LABEL_PREFIX } from "../podspec/types.js";
import { isObj, keyValues, scalar, type Obj, type Path, type Source } from "./context.js";
import { DotenvError, parseDotenv } from "./dotenv.js";
import type { Json, Lookup } from "./interpolate.js";

/** `environment:` with KEY-only entries taken from the project's variables, as Compose does. */
function environment(src: Source, path: Path, raw: Json | undefined): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of keyValues(raw)) {
    if (key === "") src.d.fail(path, "has an entry with no variable name", 'write "KEY=VALUE" or KEY');
    const resolved = value ?? src.vars(key);
    if (resolved !== undefined) values.set(key, resolved);
  }
  return values;
}

function envFiles(src: Source, path: Path, raw: Json | undefined, serviceEnv: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw === null) return out;
  const items = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  const lookup: Lookup = (name) => src.vars(name) ?? serviceEnv.get(name);
  items.forEach((item, i) => {
    const entry = typeof item === "string" ? { path: item, required: true, format: "" } : isObj(item) ? { path: scalar(item["path"]), required: item["required"] !== false && item["required"] !== "false", format: scalar(item["format"]) } : null;
    if (entry === null) return;
    const at = typeof raw === "string" ? path : [...path, i];
    const file = isAbsolute(entry.path) ? entry.path : join(src.dir, entry.path);
    const text = src.readFile(file);
    if (text === null) {
      if (entry.required) src.d.fail(at, `env file ${file} not found`, "create it, fix the path (relative to the compose file), or mark it required: false");
      return;
    }
    if (entry.format === "raw") {
      for (const line of parseEnvFile(text, file)) {
        const eq = line.indexOf("=");
        if (eq >= 0) out.set(line.slice(0, eq), line.slice(eq + 1));
        else if (lookup(line) !== undefined) out.set(line, lookup(line)!);
      }
      return;
    }
    if (entry.format !== "") src.d.fail([...at, "format"], `unknown env file format "${entry.format}"`, "leave format out (Compose's .env syntax) or write raw");
    try {
      parseDotenv(text, lookup, out);
    } catch (err) {
      if (err instanceof DotenvError) throw new UsageError(`${file}:${err.line}: ${err.message}`, "write KEY=VALUE lines (quote values with spaces or #), or fix that line");
      throw err;
    }
  });
  return out;
}

/** KEY=VALUE in order: a key in both the env files and `environment:` takes environment's value. */
export function serviceEnv(src: Source, at: Path, s: Obj): string[] {
  const own = environment(src, [...at, "environment"], s["environment"]);
  const fromFiles = envFiles(src, [...at, "env_file"], s["env_file"], own);
  const entries = (m: Map<string, string>) => [...m].map(([k, v]) => `${k}=${v}`);
  return src.d.reuse([...at, "environment"], () => parseEnv(entries(own), entries(fromFiles), {}));
}

export function labels(src: Source, path: Path, raw: Json | undefined): Record<string, string> {
  const entries = keyValues(raw).map(([key, value]) => (value === null ? key : `${key}=${value}`));
  return src.d.reuse(path, () => parseLabels(entries, LABEL_PREFIX));
}
