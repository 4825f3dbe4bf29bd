// Variable interpolation as Compose does it (compose-go's template package): the same
// pattern, the same operators, the same nesting and the same type casts after it. Pure:
// the variables come in through `lookup`.
//
//   $VAR ${VAR}            the value, "" when unset (and a warning)
//   ${VAR:-default}        default when unset or empty     ${VAR-default}  when unset
//   ${VAR:?message}        error when unset or empty       ${VAR?message}  when unset
//   ${VAR:+alternative}    alternative when set, non-empty ${VAR+alt}      when set
//   $$                     a literal $
// Defaults, alternatives and messages are interpolated in turn: ${A:-${B:-x}}.

/** A variable's value, or undefined when it is not set (empty is set). */
export type Lookup = (name: string) => string | undefined;

export class TemplateError extends Error {
  /** Where in the document, as `services.web.image`; set by interpolateTree. */
  path = "";
  constructor(
    readonly kind: "invalid" | "required" | "cast",
    message: string,
  ) {
    super(message);
  }
}

// compose-go: \$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|(?P<invalid>)))
const SOURCE = String.raw`\$(?:(?<escaped>\$)|(?<named>[_a-z][_a-z0-9]*)|\{(?:(?<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)\}|(?<invalid>)))`;
const PATTERN_ALL = new RegExp(SOURCE, "gi");
const PATTERN_ONE = new RegExp(SOURCE, "i");

type Operator = ":?" | "?" | ":-" | "-" | ":+" | "+";
const OPERATORS: Operator[] = [":?", "?", ":-", "-", ":+", "+"];

export interface SubstituteOptions {
  lookup: Lookup;
  /** Called for each $VAR or ${VAR} that is not set (Compose warns and uses ""). */
  onUnset?: (name: string) => void;
}

/** One string, interpolated. Throws TemplateError as Compose fails. */
export function substitute(template: string, o: SubstituteOptions): string {
  return template.replace(PATTERN_ALL, (match) => replace(match, o));
}

/** The operator written first in the whole match decides, as compose-go sorts them. */
function operatorOf(text: string): Operator | null {
  let best: Operator | null = null;
  let bestIndex = Infinity;
  for (const op of OPERATORS) {
    const index = text.indexOf(op);
    if (index >= 0 && index < bestIndex) {
      best = op;
      bestIndex = index;
    }
  }
  return best;
}

/** The brace closing the first `${`, counting nested ones (compose-go's getFirstBraceClosingIndex). */
function firstClosingBrace(s: string): number {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "}") {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === "{") {
      open++;
      i++;
    }
  }
  return -1;
}

function replace(whole: string, o: SubstituteOptions): string {
  const op = operatorOf(whole);
  let substring = whole;
  let rest = "";
  const close = firstClosingBrace(whole);
  if (close > -1) {
    rest = whole.slice(close + 1);
    substring = whole.slice(0, close + 1);
  }
  const groups = PATTERN_ONE.exec(substring)?.groups ?? {};
  if (groups["escaped"]) return "$";
  let name = groups["named"] ?? "";
  const braced = name === "";
  if (braced) name = groups["braced"] ?? "";
  if (name === "") throw new TemplateError("invalid", `invalid interpolation "${whole}"`);

  if (braced && op !== null && name.includes(op)) {
    return applyOperator(op, name, o) + substitute(rest, o);
  }
  const value = o.lookup(name);
  if (value === undefined) o.onUnset?.(name);
  return value ?? "";
}

function applyOperator(op: Operator, substitution: string, o: SubstituteOptions): string {
  const at = substitution.indexOf(op);
  const name = substitution.slice(0, at);
  const arg = substitution.slice(at + op.length);
  const value = o.lookup(name);
  switch (op) {
    case ":-":
      return value === undefined || value === "" ? substitute(arg, o) : value;
    case "-":
      return value === undefined ? substitute(arg, o) : value;
    case ":+":
      return value !== undefined && value !== "" ? substitute(arg, o) : (value ?? "");
    case "+":
      return value !== undefined ? substitute(arg, o) : "";
    case ":?":
    case "?":
      if (value === undefined || (op === ":?" && value === "")) {
        const reason = substitute(arg, o);
        throw new TemplateError("required", `required variable ${name} is missing a value${reason ? `: ${reason}` : ""}`);
      }
      return value;
  }
}

// ---------------------------------------------------------------------------- the tree

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

type Cast = "int" | "float" | "bool";

/**
 * Compose casts these strings after interpolation (loader/interpolate.go), so that
 * `replicas: ${N}` is a number. `*` is any key, `[]` any list item.
 */
const CASTS: [string, Cast][] = [
  ["services.*.cpu_count", "int"],
  ["services.*.cpu_percent", "float"],
  ["services.*.cpu_period", "int"],
  ["services.*.cpu_quota", "int"],
  ["services.*.cpu_rt_period", "int"],
  ["services.*.cpu_rt_runtime", "int"],
  ["services.*.cpus", "float"],
  ["services.*.cpu_shares", "int"],
  ["services.*.init", "bool"],
  ["services.*.depends_on.*.required", "bool"],
  ["services.*.depends_on.*.restart", "bool"],
  ["services.*.deploy.replicas", "int"],
  ["services.*.deploy.update_config.parallelism", "int"],
  ["services.*.deploy.update_config.max_failure_ratio", "float"],
  ["services.*.deploy.rollback_config.parallelism", "int"],
  ["services.*.deploy.rollback_config.max_failure_ratio", "float"],
  ["services.*.deploy.restart_policy.max_attempts", "int"],
  ["services.*.deploy.placement.max_replicas_per_node", "int"],
  ["services.*.healthcheck.retries", "int"],
  ["services.*.healthcheck.disable", "bool"],
  ["services.*.oom_kill_disable", "bool"],
  ["services.*.oom_score_adj", "int"],
  ["services.*.pids_limit", "int"],
  ["services.*.ports.[].target", "int"],
  ["services.*.privileged", "bool"],
  ["services.*.read_only", "bool"],
  ["services.*.scale", "int"],
  ["services.*.stdin_open", "bool"],
  ["services.*.tty", "bool"],
  ["services.*.ulimits.*", "int"],
  ["services.*.ulimits.*.hard", "int"],
  ["services.*.ulimits.*.soft", "int"],
  ["services.*.volumes.[].read_only", "bool"],
  ["services.*.volumes.[].volume.nocopy", "bool"],
  ["networks.*.external", "bool"],
  ["networks.*.internal", "bool"],
  ["networks.*.attachable", "bool"],
  ["networks.*.enable_ipv4", "bool"],
  ["networks.*.enable_ipv6", "bool"],
  ["volumes.*.external", "bool"],
  ["secrets.*.external", "bool"],
  ["configs.*.external", "bool"],
].map(([path, cast]) => [path!, cast as Cast]);

function castFor(pattern: string[]): Cast | null {
  for (const [path, cast] of CASTS) {
    const parts = path.split(".");
    if (parts.length === pattern.length && parts.every((p, i) => p === "*" || p === pattern[i])) return cast;
  }
  return null;
}

/** Go's strconv rules: no surrounding spaces. */
function cast(value: string, to: Cast): Json {
  switch (to) {
    case "int":
      if (/^[+-]?\d+$/.test(value)) return Number(value);
      break;
    case "float":
      if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) return Number(value);
      break;
    case "bool": {
      const lower = value.toLowerCase();
      if (["true", "y", "yes", "on"].includes(lower)) return true;
      if (["false", "n", "no", "off"].includes(lower)) return false;
      break;
    }
  }
  throw new TemplateError("cast", `"${value}" is not ${to === "bool" ? "true or false" : to === "int" ? "a whole number" : "a number"}`);
}

/** A display path: `services.web.ports[0]`. */
export function joinPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/**
 * Every string value of the document interpolated (keys are not), then cast where Compose
 * casts. `onUnset` gets the path and the variable of each unset reference.
 */
export function interpolateTree(doc: Json, lookup: Lookup, onUnset: (path: string, name: string) => void): Json {
  const walk = (value: Json, path: (string | number)[], pattern: string[]): Json => {
    if (typeof value === "string") {
      try {
        const out = substitute(value, { lookup, onUnset: (name) => onUnset(joinPath(path), name) });
        const to = castFor(pattern);
        return to === null ? out : cast(out, to);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        // As Compose, show the whole string the bad template is in.
        const error = err.kind === "invalid" ? new TemplateError("invalid", `invalid interpolation in ${JSON.stringify(value)}`) : err;
        error.path = joinPath(path);
        throw error;
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], [...pattern, "[]"]));
    if (value !== null && typeof value === "object") {
      const out: { [key: string]: Json } = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key], [...pattern, key]);
      return out;
    }
    return value;
  };
  return walk(doc, [], []);
}
