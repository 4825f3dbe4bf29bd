// A service's mounts as Docker's -v strings: bind mounts from the compose file's directory
// (or ~), named volumes by their Docker names, anonymous volumes as a path alone.
import { join, resolve } from "node:path";
import { parseVolume } from "../podspec/parse.js";
import { isExtension, isObj, objAt, scalar, type Diagnostics, type Obj, type Path, type Source } from "./context.js";
import { GENERIC } from "./ignored.js";
import type { Json } from "./interpolate.js";

/** A host path: ~ from HOME, relative to the compose file's directory. */
export function hostPath(src: Source, at: Path, source: string): string {
  if (source === "~" || source.startsWith("~/")) {
    const home = src.env["HOME"];
    if (!home) src.d.fail(at, `"${source}" starts with ~ and HOME is not set`, "write the path out, or set HOME");
    return join(home, source.slice(1));
  }
  return resolve(src.dir, source);
}

function namedVolume(src: Source, at: Path, key: string): string {
  const name = src.naming.volume(key);
  if (name === undefined) {
    src.d.fail(at, `the volume "${key}" is not declared`, `declare it under the top-level volumes:, e.g. volumes: {${key}: {}}, or write ./${key} for a directory beside the compose file`);
  }
  src.naming.usedVolume(src.d, key);
  return name;
}

function absoluteTarget(src: Source, at: Path, spec: string, target: string): void {
  if (!target.startsWith("/")) {
    src.d.fail(at, `"${spec}": the container path "${target}" is not absolute`, "write the path in the container from /, e.g. ./data:/data");
  }
}

const MODES = ["ro", "rw", "z", "Z", "shared", "rshared", "slave", "rslave", "private", "rprivate"];

function shortVolume(src: Source, at: Path, spec: string): string | null {
  const parts = spec.split(":");
  if (parts.some((p) => p === "")) src.d.fail(at, `"${spec}" has an empty part between colons`, "write SOURCE:TARGET[:MODE], or TARGET alone for an anonymous volume");
  if (parts.length > 3) src.d.fail(at, `"${spec}" has too many colons`, "write SOURCE:TARGET[:MODE]");
  const target = parts.length === 1 ? spec : parts[1]!;
  absoluteTarget(src, at, spec, target);
  if (parts.length === 1) return spec;
  const [source, , mode] = parts as [string, string, string | undefined];
  const bind = /^[./~]/.test(source);
  const options: string[] = [];
  for (const option of mode ? mode.split(",") : []) {
    if (MODES.includes(option)) options.push(option);
    else if (option === "nocopy" && !bind) options.push(option);
    else src.d.ignore(at, `the mode "${option}" is unknown to docker -v${option === "nocopy" ? " on a bind mount" : ""}`);
  }
  const hostSide = bind ? hostPath(src, at, source) : namedVolume(src, at, source);
  return [hostSide, target, ...(options.length > 0 ? [options.join(",")] : [])].join(":");
}

function longVolume(src: Source, at: Path, v: Obj): string | null {
  const d: Diagnostics = src.d;
  const type = scalar(v["type"]);
  const target = scalar(v["target"]);
  if (target === "") d.fail(at, "has no target", "add target: the path in the container");
  absoluteTarget(src, [...at, "target"], target, target);
  const options: string[] = [];
  if (v["read_only"] === true || v["read_only"] === "true") options.push("ro");
  for (const key of Object.keys(v)) {
    if (["type", "source", "target", "read_only", "bind", "volume", "tmpfs"].includes(key) || isExtension(key)) continue;
    d.ignore([...at, key], GENERIC);
  }
  const withOptions = (...head: string[]) => [...head, ...(options.length ? [options.join(",")] : [])].join(":");
  switch (type) {
    case "bind": {
      const source = scalar(v["source"]);
      if (source === "") d.fail(at, "is a bind mount with no source", "add source: the path on the host (relative to the compose file)");
      for (const [key, value] of Object.entries(objAt(v, "bind"))) {
        if (key === "propagation") options.push(scalar(value));
        else if (key === "selinux") options.push(scalar(value));
        else if (key === "create_host_path") {
          if (value === false || value === "false") d.ignore([...at, "bind", key], "docker -v creates a missing host path; make sure it exists");
        } else if (!isExtension(key)) d.ignore([...at, "bind", key], GENERIC);
      }
      return withOptions(hostPath(src, [...at, "source"], source), target);
    }
    case "volume": {
      const source = scalar(v["source"]);
      for (const [key, value] of Object.entries(objAt(v, "volume"))) {
        if (key === "nocopy") {
          if (value === true || value === "true") options.push("nocopy");
        } else if (key === "subpath") {
          d.fail([...at, "volume", "subpath"], "pod mounts volumes with docker -v, which cannot mount a subpath", "mount the whole volume, or bind-mount the directory");
        } else if (!isExtension(key)) d.ignore([...at, "volume", key], GENERIC);
      }
      if (source === "") return withOptions(target);
      return withOptions(namedVolume(src, [...at, "source"], source), target);
    }
    case "tmpfs":
      d.ignore(at, "pod mounts with docker -v, which has no tmpfs: the path stays in the container's own filesystem");
      return null;
    default:
      d.fail([...at, "type"], `pod cannot mount a volume of type "${type}"`, "use type bind or volume");
  }
}

export function volumes(src: Source, path: Path, raw: Json | undefined): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  raw.forEach((item, i) => {
    const at = [...path, i];
    const volume = isObj(item) ? longVolume(src, at, item) : shortVolume(src, at, scalar(item));
    if (volume !== null) out.push(src.d.reuse(at, () => parseVolume(volume)));
  });
  return out;
}
