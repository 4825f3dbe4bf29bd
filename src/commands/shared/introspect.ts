// What the commands accept, read from their own yargs builders: the one source for the
// unknown-option check and for shell completion, so neither keeps a list of its own.
import yargs, { type Argv, type CommandModule } from "yargs";
import { UsageError } from "../../errors.js";

export interface CommandShape {
  name: string;
  aliases: string[];
  describe: string;
  /** Long and short option names, without dashes. */
  options: Set<string>;
  /** Options that take no value (so the next word is not theirs). */
  flags: Set<string>;
  /** The values an option takes, when it names them (yargs's choices), by every name of the option. */
  choices: Map<string, string[]>;
  /** Whether its first positional is a pod's name (`<name>` or `[name]`). */
  takesPod: boolean;
  /** The choices of its positionals, in order (agent's actions, completion's shells). */
  positionalChoices: (string[] | null)[];
}

/** Options every command has: the parser's globals and yargs's own. */
export const GLOBAL_OPTIONS = { options: ["host", "H", "context", "debug", "help", "h", "version"], flags: ["debug", "help", "h", "version"] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function shapeOf(m: CommandModule<any, any>): CommandShape {
  const words = String(m.command ?? "").split(" ");
  const aliases = Array.isArray(m.aliases) ? m.aliases : m.aliases ? [m.aliases] : [];
  const builder = m.builder;
  const built: Argv = typeof builder === "function" ? (builder(yargs()) as Argv) : yargs().options(builder ?? {});
  const o = (built as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; boolean: string[]; alias: Record<string, string[]>; choices: Record<string, string[]> };
  const positionalNames = words.slice(1).map((w) => w.replace(/[<>[\].]/g, ""));
  const positionals = new Set(positionalNames);
  const names = new Set<string>([...Object.keys(o.key).filter((k) => !positionals.has(k)), ...Object.values(o.alias).flat(), ...GLOBAL_OPTIONS.options]);
  const flags = new Set<string>([...o.boolean, ...o.boolean.flatMap((b) => o.alias[b] ?? []), ...GLOBAL_OPTIONS.flags]);
  const choices = new Map<string, string[]>();
  for (const [key, values] of Object.entries(o.choices ?? {})) for (const n of [key, ...(o.alias[key] ?? [])]) if (!positionals.has(n)) choices.set(n, values);
  return {
    name: words[0]!,
    aliases,
    describe: String(m.describe ?? ""),
    options: names,
    flags,
    choices,
    takesPod: /^[<[]name[>\]]$/.test(words[1] ?? ""),
    positionalChoices: positionalNames.map((p) => o.choices?.[p] ?? null),
  };
}

/** Global options that take a value, so the word after them is not the command. */
export const GLOBAL_VALUES = new Set(["H", "host", "context"]);

/** Where the command word stands: the first word that is neither an option nor a global option's value; -1 if none. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (!t.startsWith("-")) return i;
    if (t === "--") return -1;
    if (GLOBAL_VALUES.has(t.replace(/^-+/, "")) && !t.includes("=")) i++;
  }
  return -1;
}

export function commandWord(argv: string[]): string | undefined {
  return argv[commandIndex(argv)];
}

/**
 * The first word on the command line that is an option no command knows, or null. yargs
 * would report it late, or not at all: `-d IMAGE` makes the image -d's value, and
 * `-http_server` reads as -h (help) and more.
 */
export function unknownOption(argv: string[], shape: CommandShape): { token: string; command: string } | null {
  const start = commandIndex(argv);
  if (start < 0) return null;
  // Before the command only pod's global options stand.
  for (let i = 0; i < start; i++) {
    const name = argv[i]!.replace(/^-+/, "").split("=")[0]!;
    if (!GLOBAL_OPTIONS.options.includes(name)) return { token: argv[i]!.split("=")[0]!, command: shape.name };
    if (GLOBAL_VALUES.has(name) && !argv[i]!.includes("=")) i++;
  }
  for (let i = start + 1; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === "--") break;
    if (!t.startsWith("-") || t === "-" || /^-\d/.test(t)) continue;
    if (t.startsWith("--")) {
      const name = t.slice(2).split("=")[0]!;
      const known = shape.options.has(name) || (name.startsWith("no-") && shape.flags.has(name.slice(3)));
      if (!known) return { token: `--${name}`, command: shape.name };
      if (!t.includes("=") && !shape.flags.has(name) && !name.startsWith("no-")) i++;
      continue;
    }
    const letters = t.slice(1);
    const first = letters[0]!;
    if (letters.length === 1) {
      if (!shape.options.has(first)) return { token: t, command: shape.name };
      if (!shape.flags.has(first)) i++;
      continue;
    }
    // -it: several flags at once; -p80:8080: a value glued to its option.
    if ([...letters].every((c) => shape.flags.has(c))) continue;
    if (shape.options.has(first) && !shape.flags.has(first)) continue;
    return { token: t, command: shape.name };
  }
  return null;
}

/** The option a word names when it takes its value from the next word (`--since`, `-e`); else null. */
function valueOption(t: string, shape: CommandShape): string | null {
  if (t.startsWith("--")) {
    const name = t.slice(2);
    return !name.includes("=") && shape.options.has(name) && !shape.flags.has(name) && !name.startsWith("no-") ? name : null;
  }
  if (/^-[^-]$/.test(t)) return shape.options.has(t[1]!) && !shape.flags.has(t[1]!) ? t[1]! : null;
  return null;
}

/**
 * The word after an option that takes a value is that value, whatever it looks like, as
 * docker's own parser reads it: `--since -1h`, `--name -bx`, `-e -H=1`. yargs would read a
 * word starting with "-" as options of its own (-1h as -1 -h: the help; -H=1 as the global
 * --host), so each such pair is glued into `--since=-1h` before yargs sees it, as is a
 * value already glued to a short option (`-p80:8080`). An option with nothing after it (or
 * only `--`) is refused here.
 */
export function bindValues(argv: string[], shape: CommandShape): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === "--") return [...out, ...argv.slice(i)];
    // -p80:8080, a value glued to its option (yargs would read 8, 0, … as flags).
    if (/^-[^-][^=]/.test(t) && valueOption(t.slice(0, 2), shape) !== null && ![...t.slice(1)].every((c) => shape.flags.has(c))) {
      out.push(`${t.slice(0, 2)}=${t.slice(2)}`);
      continue;
    }
    if (valueOption(t, shape) === null) {
      out.push(t);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value === "--") throw new UsageError(`${t} needs a value`, `\`pod ${shape.name} --help\` says what it takes`);
    out.push(`${t}=${value}`);
    i++;
  }
  return out;
}
