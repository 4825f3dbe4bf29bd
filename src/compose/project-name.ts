// A project's name as Compose decides it (compose-go's cli.withNamePrecedenceLoad and
// loader.projectName): -p, then COMPOSE_PROJECT_NAME (the environment, then .env), both
// taken as given and refused unless already normal; then the file's `name:`, interpolated
// and normalised; then the project directory's name, normalised.
import { basename, resolve } from "node:path";
import { UsageError } from "../errors.js";

export type NameSource = "-p" | "COMPOSE_PROJECT_NAME" | "name:" | "directory";

/** compose-go's NormalizeProjectName: lowercase, only [a-z0-9_-], no leading - or _. */
export function normalizeProjectName(s: string): string {
  return (s.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join("").replace(/^[-_]+/, "");
}

/** A name given outright (-p, COMPOSE_PROJECT_NAME) must be normal already, as Compose requires. */
export function checkProjectName(name: string, from: string): string {
  if (normalizeProjectName(name) !== name || name === "") {
    throw new UsageError(
      `${from} "${name}" is not a project name: it must consist only of lowercase letters, digits, dashes and underscores, and start with a letter or digit`,
      `as Compose requires; e.g. ${/[:/]/.test(name) ? "myapp" : normalizeProjectName(name) || "myapp"}`,
    );
  }
  return name;
}

export interface NameInputs {
  /** -p/--project-name, or null. */
  flag: string | null;
  /** COMPOSE_PROJECT_NAME from the environment, else .env. */
  fromEnv: string | undefined;
  /** The file's `name:`, interpolated; undefined when absent. */
  declared: string | undefined;
  /** The project directory: the compose file's. */
  dir: string;
  file: string;
}

export function projectName(o: NameInputs): { name: string; from: NameSource } {
  if (o.flag !== null) return { name: checkProjectName(o.flag, "-p"), from: "-p" };
  if (o.fromEnv !== undefined && o.fromEnv !== "") return { name: checkProjectName(o.fromEnv, "COMPOSE_PROJECT_NAME"), from: "COMPOSE_PROJECT_NAME" };
  const declared = normalizeProjectName(o.declared ?? "");
  if (declared !== "") return { name: declared, from: "name:" };
  const directory = normalizeProjectName(basename(resolve(o.dir)));
  if (directory !== "") return { name: directory, from: "directory" };
  throw new UsageError(`${o.file}: the project has no name (its directory's name has no letter or digit)`, "name it with -p NAME, COMPOSE_PROJECT_NAME or name: in the file");
}
