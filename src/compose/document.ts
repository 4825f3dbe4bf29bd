// A compose file's text as Compose reads it, before any service is looked at: .env read
// (the environment wins over it), the YAML parsed, interpolated (${VAR:-default} and
// friends) and cast, then checked against the Compose specification's schema.
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { Diagnostics, isObj, type Obj } from "./context.js";
import { DotenvError, parseDotenv } from "./dotenv.js";
import { interpolateTree, TemplateError, type Json, type Lookup } from "./interpolate.js";
import { validateCompose } from "./schema.js";
import { parseYaml } from "./yaml.js";

/** What the reader needs from outside: the file, the environment, and other files. */
export interface DocumentInput {
  /**
   * The compose file as the user named it: messages name it, and relative paths (.env,
   * env_file, bind mounts) start from its directory. Bind mounts become absolute paths, so
   * a relative `path` is taken from the process's working directory.
   */
  path: string;
  text: string;
  /** pod's environment: wins over .env, as in Compose. */
  env: Record<string, string | undefined>;
  /** A file's text, or null when there is no such file. */
  readFile(path: string): string | null;
}

export interface ComposeDocument {
  file: string;
  /** The compose file's directory: Compose's project directory. */
  dir: string;
  /** Interpolated, cast and valid against the Compose schema. */
  doc: Obj;
  /** The environment and .env, the environment first: what ${VAR} and `environment: [KEY]` read. */
  vars: Lookup;
  d: Diagnostics;
}

/** The .env beside the compose file, as a lookup behind the environment. */
export function readDotenv(o: DocumentInput, dir: string): Lookup {
  const envPath = join(dir, ".env");
  const text = o.readFile(envPath);
  const fromEnv: Lookup = (name) => o.env[name];
  let dotenv = new Map<string, string>();
  if (text !== null) {
    try {
      dotenv = parseDotenv(text, fromEnv);
    } catch (err) {
      if (err instanceof DotenvError) throw new UsageError(`${envPath}:${err.line}: ${err.message}`, "write KEY=VALUE lines (quote values with spaces or #), or fix that line");
      throw err;
    }
  }
  return (name) => o.env[name] ?? dotenv.get(name);
}

function interpolate(d: Diagnostics, dir: string, raw: Json, vars: Lookup): Json {
  try {
    return interpolateTree(raw, vars, (path, name) => d.warn(path, `the variable ${name} is not set: using an empty string`));
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    const where = `${d.file}: ${err.path}`;
    if (err.kind === "required") {
      const name = /variable (\S+)/.exec(err.message)?.[1] ?? "it";
      throw new UsageError(`${where}: ${err.message}`, `set ${name} in the environment or in ${join(dir, ".env")}`);
    }
    if (err.kind === "invalid") {
      // An environment value may be a secret: say where, not what.
      const message = /^services\.[^.]+\.environment\b/.test(err.path) ? "invalid interpolation in the value (not shown: it may be a secret)" : err.message;
      throw new UsageError(`${where}: ${message}`, "write $NAME or ${NAME} with a name of letters, digits and _, and $$ for a literal $");
    }
    throw new UsageError(`${where}: ${err.message}`, "write a value of the type this key takes (Compose casts it, after interpolation)");
  }
}

/** The file's `name:` alone, interpolated as Compose does before it reads the rest. */
export function finishName(d: Diagnostics, dir: string, raw: Json, vars: Lookup): string {
  return String((interpolate(d, dir, { name: typeof raw === "string" ? raw : String(raw) }, vars) as Obj)["name"]);
}

/**
 * The parsed file, before interpolation, and the .env beside it: the project's name can
 * depend on both (`name: ${X}`), and interpolation on the name (COMPOSE_PROJECT_NAME).
 */
export function parseDocument(o: DocumentInput): { d: Diagnostics; dir: string; raw: Obj; dotenv: Lookup } {
  const d: Diagnostics = new Diagnostics(o.path);
  const dir = dirname(o.path);
  const dotenv = readDotenv(o, dir);
  const raw = parseYaml(d, o.text);
  if (raw === null) d.failFile("is empty", "a compose file needs services:, e.g. services: {web: {image: web}}");
  if (!isObj(raw)) d.failFile("the top level must be a mapping", "start the file with services:");
  return { d, dir, raw, dotenv };
}

/** The parsed file interpolated with `vars`, then checked against the schema. */
export function finishDocument(parsed: { d: Diagnostics; dir: string; raw: Obj }, vars: Lookup): ComposeDocument {
  const { d, dir, raw } = parsed;
  const doc = interpolate(d, dir, raw, vars) as Obj;
  validateCompose(doc, d.file);
  return { file: d.file, dir, doc, vars, d };
}
