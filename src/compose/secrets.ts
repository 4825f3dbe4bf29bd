// `secrets:` and `configs:` of a service as Compose mounts file-based ones: the file
// bind-mounted read-only at /run/secrets/<name> (a secret) or /<name> (a config), or at
// the target given. Secrets and configs from the environment, inline content or external
// ones Compose copies in or takes from Swarm; pod refuses them before anything is made.
import { isAbsolute, posix } from "node:path";
import { isExtension, isObj, scalar, type Obj, type Path, type Source } from "./context.js";
import { declaration } from "./naming.js";
import type { Json } from "./interpolate.js";
import { hostPath } from "./volumes.js";

type Kind = "secrets" | "configs";

const BASE: Record<Kind, string> = { secrets: "/run/secrets/", configs: "/" };
const WORD: Record<Kind, string> = { secrets: "secret", configs: "config" };

/** One -v string per mounted secret or config, read-only. */
export function fileMounts(src: Source, at: Path, s: Obj, kind: Kind): string[] {
  const raw: Json | undefined = s[kind];
  if (!Array.isArray(raw)) return [];
  const out = new Map<string, string>();
  raw.forEach((item, i) => {
    const path = [...at, kind, i];
    const ref: Obj = isObj(item) ? item : { source: scalar(item) };
    const source = scalar(ref["source"]);
    for (const key of Object.keys(ref)) {
      if (key === "uid" || key === "gid" || key === "mode") src.d.ignore([...path, key], `a ${WORD[kind]} is bind-mounted with the file's own owner and mode, as Compose does`);
      else if (key !== "source" && key !== "target" && !isExtension(key)) src.d.ignore([...path, key], `pod's ${kind} have no such setting`);
    }
    const decl = declaration(src.doc, kind, source);
    if (!decl.declared) src.d.fail(path, `the ${WORD[kind]} "${source}" is not declared`, `declare it under the top-level ${kind}:, e.g. ${kind}: {${source}: {file: ./${source}.txt}}`);
    const top: Path = [kind, source];
    if (decl.external) src.d.fail(top, `pod cannot mount an external ${WORD[kind]} (that is Swarm's)`, `give it a file: ${kind}: {${source}: {file: ./${source}.txt}}`);
    for (const key of ["environment", "content"]) {
      if (decl.settings[key] !== undefined) {
        src.d.fail([...top, key], `pod mounts ${kind} from files only`, `write the value to a file and give it as file: (keep the file as private as the value)`);
      }
    }
    for (const key of ["driver", "template_driver"]) {
      if (decl.settings[key] !== undefined) src.d.fail([...top, key], `is Swarm's; Compose refuses it too`, "remove it, and give the file: alone");
    }
    const file = scalar(decl.settings["file"]);
    if (file === "") src.d.fail(top, "has no file", `add file: the path of the ${WORD[kind]} (relative to the compose file)`);
    const host = hostPath(src, [...top, "file"], file);
    if (src.readFile(host) === null) src.d.fail([...top, "file"], `${host} does not exist`, `create it, or fix the path (relative to the compose file); Docker would mount an empty directory there`);
    const target = scalar(ref["target"]);
    const inContainer = target === "" ? BASE[kind] + source : isAbsolute(target) ? target : BASE[kind] + target;
    out.set(posix.normalize(inContainer), `${host}:${posix.normalize(inContainer)}:ro`);
  });
  return [...out.values()];
}
