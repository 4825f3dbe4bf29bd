// Env values may be secrets, and the engine's error text can echo them: runc refuses a NUL
// with `environment variable value can't contain null(\x00): "DB_PASSWORD=hunter2\x00x"`.
// Text that may carry them goes through here before it is printed, logged or stored:
// `KEY=VALUE` becomes `KEY=<hidden>`. Pure: strings in, strings out.
import type { PodSpec } from "./types.js";

export const HIDDEN = "<hidden>";

/** What of a spec an engine's text may echo: its env entries, and words of its command shaped like `X=...`. */
export function secretsOf(spec: Pick<PodSpec, "replica">): string[] {
  const words = [...spec.replica.command, ...(spec.replica.entrypoint ?? [])].filter((w) => ENTRY.test(w));
  return [...spec.replica.env, ...words];
}

const ENTRY = /^[^=\s"]+=/;

/** A value as Go's %q writes it inside quotes (how the engine quotes), and as JSON does. */
function quotedForms(value: string): string[] {
  const go = [...value]
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (c === "\\" || c === '"') return `\\${c}`;
      const named: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v" };
      if (named[c]) return named[c];
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
      return c;
    })
    .join("");
  return [value, go, JSON.stringify(value).slice(1, -1)];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `text` with the value of every `KEY=VALUE` of `entries` hidden: the value as given or as
 * the engine quotes it, else whatever follows `KEY=` up to a quote, a space or the end (a
 * value cut short or escaped another way). Any quoted `"NAME=..."` is hidden too: the
 * engine quotes env entries, and the spec's labels (the record) hold them the same way.
 */
export function redactText(text: string, entries: readonly string[]): string {
  let out = text;
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    const forms = value === "" ? [] : [...new Set(quotedForms(value))].sort((a, b) => b.length - a.length).map(escapeRegExp);
    // The value in one of its forms, else up to a quote, space or separator; never twice.
    const rest = String.raw`(?:\\.|[^\s"'\\,;)\]}])+`;
    const pattern = new RegExp(`(^|[^\\w.-])${escapeRegExp(key)}=(?!${escapeRegExp(HIDDEN)})(?:${[...forms, rest].join("|")})`, "g");
    out = out.replace(pattern, `$1${key}=${HIDDEN}`);
  }
  return out.replace(/"([A-Za-z_][\w.-]*)=(?:\\.|[^"\\])*"/g, (_, key: string) => `"${key}=${HIDDEN}"`);
}

/** An error whose text may echo env values, with them hidden (message, hint, stack): the same object, changed. */
export function redactError<E>(err: E, entries: readonly string[]): E {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { hint?: string };
  e.message = redactText(e.message, entries);
  if (typeof e.hint === "string") Object.defineProperty(e, "hint", { value: redactText(e.hint, entries) });
  if (e.stack) e.stack = redactText(e.stack, entries);
  return err;
}

/** The shape of a record that redactHistory needs: each generation's spec and its error. */
interface WithHistory {
  spec: PodSpec;
  history: { spec: PodSpec; error?: string }[];
}

/**
 * A record whose failed generations' errors may hold env values (written before pod hid
 * them): each error redacted with its own generation's spec and the current one. Returns
 * the record itself when nothing changes.
 */
export function redactHistory<R extends WithHistory>(record: R): R {
  const current = secretsOf(record.spec);
  let changed = false;
  const history = record.history.map((g) => {
    if (g.error === undefined) return g;
    const error = redactText(g.error, [...secretsOf(g.spec), ...current]);
    if (error === g.error) return g;
    changed = true;
    return { ...g, error };
  });
  return changed ? { ...record, history } : record;
}
