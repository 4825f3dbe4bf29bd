// A compose file's YAML as plain data: one document, anchors and merge keys as Compose
// takes them, every syntax error as one line with its place. A hostile file costs little:
// its size is capped, aliases may not multiply it (a "billion laughs"), and nesting is
// bounded before anything recursive walks it.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import { UsageError } from "../errors.js";
import { formatSize, MAX_INPUT_BYTES } from "../files.js";
import type { Diagnostics } from "./context.js";
import type { Json } from "./interpolate.js";

/** Compose files are a few levels deep; a hundred is far past any of them. */
export const MAX_DEPTH = 100;
/** Uses of one anchor, nested aliases multiplied, when the document becomes data (yaml's own measure). */
const MAX_ALIAS_COUNT = 1000;

/** yaml's messages end with the place and a code frame; the place is already in front. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Duplicate keys and nesting depth in one walk over the parsed nodes, with a stack of its
 * own (no recursion) and a set per mapping (yaml's own duplicate check is quadratic in a
 * mapping's size). Aliases are not followed: what they expand to is counted by toJS.
 */
function checkNodes(d: Diagnostics, doc: Document, lines: LineCounter): void {
  const place = (node: { range?: [number, number, number] | null } | null | undefined) => {
    const at = node?.range ? lines.linePos(node.range[0]) : null;
    return `${d.file}${at ? `:${at.line}:${at.col}` : ""}`;
  };
  const stack: [Node | null, number][] = [[doc.contents as Node | null, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || isScalar(node) || isAlias(node)) continue;
    if (depth > MAX_DEPTH) {
      throw new UsageError(`${place(node)}: nested more than ${MAX_DEPTH} levels deep`, "a compose file is a few levels deep: check the indentation and the brackets there");
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push([item as Node | null, depth + 1]);
    } else if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        if (isScalar(key)) {
          const id = `${typeof key.value}:${String(key.value)}`;
          if (keys.has(id)) throw new UsageError(`${place(key)}: Map keys must be unique`, "fix the YAML there: remove one of the two, or merge them");
          keys.add(id);
        } else {
          stack.push([key, depth + 1]);
        }
        stack.push([pair.value as Node | null, depth + 1]);
      }
    }
  }
}

export function parseYaml(d: Diagnostics, text: string): Json {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_INPUT_BYTES) {
    d.failFile(`is ${formatSize(bytes)}, more than the ${formatSize(MAX_INPUT_BYTES)} pod reads in one file`, "check that -f names the compose file; split a generated one, or move large values into env files");
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { merge: true, uniqueKeys: false, prettyErrors: true, lineCounter: lines });
  if (!Array.isArray(docs)) return null; // an empty stream
  if (docs.length > 1) d.failFile(`holds ${docs.length} YAML documents`, "pod reads one document per compose file: remove the --- separators");
  const doc = docs[0];
  if (!doc) return null;
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const place = `${d.file}${at ? `:${at.line}:${at.col}` : ""}`;
    // yaml composes nested collections recursively, and reports running out of stack as an error.
    if (/call stack/i.test(error.message)) throw new UsageError(`${place}: nested more than ${MAX_DEPTH} levels deep`, "a compose file is a few levels deep: check the indentation and the brackets there");
    throw new UsageError(`${place}: ${firstLine(error.message)}`, "fix the YAML there: indentation, a missing colon or an unclosed quote");
  }
  checkNodes(d, doc, lines);
  for (const warning of doc.warnings) {
    const at = warning.linePos?.[0];
    d.line(`${d.file}${at ? `:${at.line}:${at.col}` : ""}: ${firstLine(warning.message)}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Json;
  } catch (err) {
    if (err instanceof ReferenceError && /Excessive alias count/.test(err.message)) {
      d.failFile(`its aliases expand too far: an anchor used more than ${MAX_ALIAS_COUNT} times, nested aliases multiplied`, "that is how a YAML alias bomb looks: write the values out, or use each anchor fewer times");
    }
    throw err;
  }
}
