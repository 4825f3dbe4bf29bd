// YAML that every reader takes the same way. Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml),
// where `on`, `yes` and `n` are booleans; Compose and Swarm read YAML 1.2, where `0o17` is
// a number. A string either reader would take for something else is written quoted.
import { Document, isScalar, parse, visit } from "yaml";

function ambiguous(text: string): boolean {
  for (const version of ["1.1", "1.2"] as const) {
    try {
      if (parse(text, { version }) !== text) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** `value` as YAML; `comments` go first, one `# ` line each. */
export function toYaml(value: unknown, comments: string[] = []): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "string" && !node.value.includes("\n") && ambiguous(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  const head = comments.map((c) => `# ${c}\n`).join("");
  return head + doc.toString({ lineWidth: 0 });
}

/** Several YAML documents in one stream. */
export function toYamlStream(values: unknown[], comments: string[] = []): string {
  return values.map((v, i) => toYaml(v, i === 0 ? comments : [])).join("---\n");
}

/** Compose and Swarm interpolate $VAR in every value (not keys): a literal $ is written $$. */
export function escapeDollars<T>(value: T): T {
  if (typeof value === "string") return value.replace(/\$/g, "$$$$") as T;
  if (Array.isArray(value)) return value.map(escapeDollars) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)])) as T;
  }
  return value;
}
