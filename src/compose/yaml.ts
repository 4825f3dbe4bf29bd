// A compose file's YAML as plain data: one document, anchors and merge keys as Compose
// takes them, every syntax error as one line with its place.
import { parseAllDocuments } from "yaml";
import { UsageError } from "../errors.js";
import type { Diagnostics } from "./context.js";
import type { Json } from "./interpolate.js";

/** yaml's messages end with the place and a code frame; the place is already in front. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

export function parseYaml(d: Diagnostics, text: string): Json {
  const docs = parseAllDocuments(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (!Array.isArray(docs)) return null; // an empty stream
  if (docs.length > 1) d.failFile(`holds ${docs.length} YAML documents`, "pod reads one document per compose file: remove the --- separators");
  const doc = docs[0];
  if (!doc) return null;
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    throw new UsageError(`${d.file}${at ? `:${at.line}:${at.col}` : ""}: ${firstLine(error.message)}`, "fix the YAML there: indentation, a missing colon or an unclosed quote");
  }
  for (const warning of doc.warnings) {
    const at = warning.linePos?.[0];
    d.line(`${d.file}${at ? `:${at.line}:${at.col}` : ""}: ${firstLine(warning.message)}`);
  }
  return doc.toJS({ maxAliasCount: 1000 }) as Json;
}
