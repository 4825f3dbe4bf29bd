// `-f compose.yaml`: the file read, checked and turned into pod specs, one per service.
// The Compose reader (YAML, the Compose schema) loads only here: compiling the schema costs
// a quarter of a second no other command should pay.
import type { ComposeResult } from "../compose/pods.js";
import { InputFileError, UsageError } from "../errors.js";
import type { Deps } from "./deps.js";
import type { Reporter } from "../report/reporter.js";

export interface ComposeRequest {
  file: string;
  projectName: string | null;
  services: string[];
}

export async function loadComposeFile(deps: Deps, reporter: Reporter, o: ComposeRequest): Promise<ComposeResult> {
  let text: string;
  try {
    text = deps.readFile(o.file);
  } catch (err) {
    if (err instanceof InputFileError) throw new UsageError(`-f ${o.file} ${err.reason}`, err.hint);
    throw new UsageError(`-f ${o.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`, "give the path of a compose file");
  }
  const { loadCompose } = await import("../compose/pods.js");
  const result = loadCompose({
    path: o.file,
    text,
    projectName: o.projectName,
    services: o.services,
    env: deps.environ,
    readFile: (path) => readBeside(deps, path),
  });
  for (const w of result.warnings) reporter.warn(w);
  return result;
}

/** A file the compose file names (.env, env_file): null when there is none, else its text or one line why not. */
function readBeside(deps: Deps, path: string): string | null {
  try {
    return deps.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    if (err instanceof InputFileError) throw err;
    throw new UsageError(`${path} cannot be read (${code ?? err})`, "make it readable, or fix the path in the compose file");
  }
}

/** The project name with -f: --project-name, or -p as Compose users type it. */
export function projectName(args: { "project-name"?: string; publish?: string[] }): string | null {
  const p = args.publish ?? [];
  if (args["project-name"] !== undefined && p.length > 0) throw new UsageError("-p and --project-name both name the project", "give one of them");
  if (p.length > 1) throw new UsageError("with -f, -p is the project's name, given once", "ports come from the compose file's ports:");
  return args["project-name"] ?? p[0] ?? null;
}
