// What every step of reading a compose file shares: the file's name for messages, the
// warnings said so far, and small readers of the interpolated document's values.
import { UsageError } from "../errors.js";
import { joinPath, type Json, type Lookup } from "./interpolate.js";

export type Obj = { [key: string]: Json };
export type Path = (string | number)[];

export const isObj = (v: Json | undefined): v is Obj => v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
export const isExtension = (key: string) => key.startsWith("x-");
export const scalar = (v: Json | undefined): string => (v === null || v === undefined ? "" : String(v));
/** A mapping's entry that is a mapping, or an empty one. */
export const objAt = (o: Obj, key: string): Obj => (isObj(o[key]) ? (o[key] as Obj) : {});

/** A string or a list of strings, as a list. */
export function list(raw: Json | undefined): string[] {
  if (raw === undefined || raw === null) return [];
  return Array.isArray(raw) ? raw.map(scalar) : [scalar(raw)];
}

/** Entries of a list_or_dict: [key, value], value null when only the key is given. */
export function keyValues(raw: Json | undefined): [string, string | null][] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) {
    return raw.map((item) => {
      const text = scalar(item);
      const at = text.indexOf("=");
      return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
    });
  }
  if (isObj(raw)) return Object.entries(raw).map(([key, value]) => [key, value === null ? null : scalar(value)]);
  return [];
}

/** One line per problem, each naming the file and the place in it. */
export class Diagnostics {
  readonly warnings: string[] = [];
  private readonly said = new Set<string>();

  constructor(readonly file: string) {}

  where(path: Path): string {
    return `${this.file}: ${joinPath(path)}`;
  }

  fail(path: Path, what: string, hint: string): never {
    throw new UsageError(`${this.where(path)}: ${what}`, hint);
  }

  /** A whole-file problem: `FILE: WHAT`. */
  failFile(what: string, hint: string): never {
    throw new UsageError(`${this.file}: ${what}`, hint);
  }

  /** Said once, however often the place is reached. */
  warn(path: Path | string, note: string): void {
    this.line(`${typeof path === "string" ? `${this.file}: ${path}` : this.where(path)}: ${note}`);
  }

  /** A line already naming its place (`FILE:LINE:COL: ...`). */
  line(text: string): void {
    if (this.said.has(text)) return;
    this.said.add(text);
    this.warnings.push(text);
  }

  ignore(path: Path, why: string): void {
    this.warn(path, `ignored: ${why}`);
  }

  /** A flag parser's rule, its error restated at this place in the file. */
  reuse<T>(path: Path, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${this.where(path)}: ${err.message.replace(/^--[a-z-]+ /, "")}`, err.hint);
      throw err;
    }
  }
}

/** What each step of mapping a service reads: the document, its place, and the world around it. */
export interface Source {
  d: Diagnostics;
  /** The compose file's directory: relative paths start there. */
  dir: string;
  /** Interpolated and valid. */
  doc: Obj;
  /** The project's variables (the environment, then .env): `environment: [KEY]` reads them. */
  vars: Lookup;
  /** pod's own environment (HOME for ~). */
  env: Record<string, string | undefined>;
  readFile(path: string): string | null;
  naming: Naming;
  /** Whether the flow that runs the file applies ReplicaSpec.restart (today's per-pod flow does not). */
  restart: boolean;
}

export interface Naming {
  /** The pod a service becomes. */
  pod(service: string): string;
  /** The Docker network a service's network key means; undefined when the file does not declare it. */
  network(key: string): string | undefined;
  /** The Docker volume a named volume means; undefined when the file does not declare it. */
  volume(key: string): string | undefined;
  /** The network keys a service joins when it names none and has no network_mode. */
  implicitNetworks: string[];
  /** Names a service has on each network it joins besides the pod's own (its service name in a project). */
  aliases(service: string): string[];
  /** What pod says, once, about a network or volume a service uses. */
  usedNetwork(d: Diagnostics, key: string): void;
  usedVolume(d: Diagnostics, key: string): void;
}
